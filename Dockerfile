# syntax=docker/dockerfile:1
# Tremplin's image: the `tremplin` command; by default, the migrations then the bot.
#
#   docker build -t tremplin .
#   docker run --env-file .env tremplin                          # db upgrade, then the bot
#   docker run --rm --env-file .env -v "$PWD:/in:ro" tremplin tremplin catalog import /in/offres.csv
#
# Two stages: the first one compiles the translations and installs Tremplin into a virtual
# environment; the second one copies only that environment, without pip's caches or the
# build tools, and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY . .

# The .mo files are compiled before the wheel is built, so that the wheel ships them
# (pyproject force-includes locales/ as catalog/locales). catalog.i18n uses a .mo when it is
# not older than its .po; pip writes the files in the order of the wheel, so the .mo files
# are touched afterwards: the image never compiles a catalogue at run time.
# The locked versions first (hashes checked), then Tremplin itself without resolving again.
RUN python -m venv /opt/tremplin \
 && /opt/tremplin/bin/pip install --require-hashes -r requirements.lock \
 && /opt/tremplin/bin/python -m bot.i18n_tasks compile \
 && /opt/tremplin/bin/pip install --no-deps . \
 && find /opt/tremplin/lib/python*/site-packages/catalog/locales -name '*.mo' -exec touch {} + \
 && /opt/tremplin/bin/tremplin --help > /dev/null

# ---- run --------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="Tremplin" \
      org.opencontainers.image.description="A Telegram bot that guides the citizens of a learning city to learning opportunities" \
      org.opencontainers.image.licenses="MIT"

ENV PATH=/opt/tremplin/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# An unprivileged user; /data is its home and working directory, where the default SQLite
# database (tremplin.db) goes when no TREMPLIN_DATABASE_URL is set: mount a volume there.
RUN useradd --system --user-group --uid 10001 --home-dir /data --create-home \
        --shell /usr/sbin/nologin tremplin

COPY --from=build /opt/tremplin /opt/tremplin
COPY deploy/healthcheck.py /opt/tremplin/healthcheck.py

USER tremplin
WORKDIR /data

# Webhook mode listens here (TREMPLIN_LISTEN, default 0.0.0.0:8080); long polling listens nowhere.
EXPOSE 8080

# Webhook mode: GET /healthz. Long polling: the database answers (see deploy/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/opt/tremplin/healthcheck.py"]

# Migrations at every start (idempotent), then the bot. `exec` makes the bot PID 1, so that it
# receives SIGTERM from `docker stop` itself and shuts down gracefully.
CMD ["sh", "-c", "tremplin db upgrade && exec tremplin run"]
