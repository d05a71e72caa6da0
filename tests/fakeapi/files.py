"""File storage behind ``file_id``s, ``getFile`` and the download route.

Both directions go through here: files a simulated user sends (so the bot can
``getFile`` + download them) and files the bot uploads (so tests can inspect what was
sent and the bot can re-send by ``file_id``).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

# Telegram refuses getFile for files above 20 MB (bots cannot download bigger ones).
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

# Folder of the file_path per kind, as the real server names them.
_FOLDERS = {
    "document": "documents",
    "photo": "photos",
    "voice": "voice",
    "sticker": "stickers",
    "audio": "music",
    "video": "videos",
}


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str
    source_url: str | None = None  # set when the bot sent an HTTP URL instead of bytes

    @property
    def file_size(self) -> int:
        return len(self.data)

    def as_file(self) -> dict[str, Any]:
        """The Bot API ``File`` object answered by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def as_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document

    def as_photo(self) -> list[dict[str, Any]]:
        """PhotoSize array; the fake does not decode images, sizes are nominal."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.file_size,
                "width": 800,
                "height": 600,
            }
        ]


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        source_url: str | None = None,
    ) -> StoredFile:
        number = next(self._counter)
        digest = hashlib.sha1(data + str(number).encode()).hexdigest()
        # Real file_ids are opaque base64-ish strings; keep them unique and recognisable.
        file_id = f"FAKE{kind[:3].upper()}{number:04d}{digest[:20]}"
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"U{digest[:12]}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{_FOLDERS.get(kind, 'files')}/file_{number}{extension}",
            source_url=source_url,
        )
        self._by_id[file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def __len__(self) -> int:
        return len(self._by_id)
