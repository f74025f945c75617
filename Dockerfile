# PharOS image: the frontend is built at image build time; at run time `pharos up` serves UI + API
# on one port against external DATABASE_URL / REDIS_URL (nothing embedded starts when they are set).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_CHECK_LATEST_VERSION=false \
    PHAROS_DATA_DIR=/var/lib/pharos \
    PHAROS_PORT=3000 \
    PHAROS_HOST=0.0.0.0

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm unzip \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/pharos
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY models ./models
COPY workers ./workers
COPY seeds ./seeds
COPY app ./app
COPY alembic ./alembic
COPY alembic.ini rxconfig.py ./
COPY assets ./assets
COPY reflex.lock ./reflex.lock
RUN pip install -e .

# bun from npm, then a one-time frontend export into .web/build/client
RUN python -m app.cli.frontend --force

RUN useradd --system --home /srv/pharos pharos \
 && mkdir -p /var/lib/pharos && chown -R pharos /var/lib/pharos /srv/pharos
USER pharos
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/api/health').status != 200)"
# DATABASE_URL (owner) and REDIS_URL must be provided; `pharos up` migrates, then runs worker + web.
# In a container it listens on every interface (PHAROS_HOST above); outside one it defaults to 127.0.0.1.
CMD ["pharos", "up", "--port", "3000"]
