"""Who may update the catalogue: the configured ids, and the users an admin granted the role."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from catalog.store.audit_models import MaintainerRole


async def is_maintainer(
    *, session: AsyncSession, user_id: int, configured: Collection[int]
) -> bool:
    """Whether ``user_id`` is in ``TREMPLIN_MAINTAINER_IDS`` or was granted the role."""
    if user_id in configured:
        return True
    return await session.get(MaintainerRole, user_id) is not None


async def grant(*, session: AsyncSession, user_id: int, by: int) -> bool:
    """Give ``user_id`` the maintainer role; False if they already had it."""
    if await session.get(MaintainerRole, user_id) is not None:
        return False
    session.add(MaintainerRole(user_id=user_id, granted_by=by))
    await session.commit()
    return True


async def revoke(*, session: AsyncSession, user_id: int) -> bool:
    """Take the maintainer role back; False if ``user_id`` did not have it."""
    role = await session.get(MaintainerRole, user_id)
    if role is None:
        return False
    await session.delete(role)
    await session.commit()
    return True


async def granted(*, session: AsyncSession) -> list[MaintainerRole]:
    """Every granted role, oldest first."""
    query = select(MaintainerRole).order_by(col(MaintainerRole.granted_at))
    return list((await session.exec(query)).all())


async def maintainer_ids(*, session: AsyncSession, configured: Collection[int]) -> list[int]:
    """Every maintainer, each once: the configured ids and the users granted the role."""
    return sorted({*configured, *(role.user_id for role in await granted(session=session))})
