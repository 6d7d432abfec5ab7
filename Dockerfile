# CityLearn: the web pages + GraphQL API (`citylearn serve`) and, with another command,
# the background worker (`citylearn worker`), migrations and the demo city loader.
#
#   docker build -t citylearn .
#   docker compose up          (see docker-compose.yml: PostGIS, Redis, migrate, web, worker)
#
# PostgreSQL+PostGIS and Redis are not in this image: point DATABASE_URL and REDIS_URL at them.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# An unprivileged account to run as; its data folder only matters if DATABASE_URL/REDIS_URL
# are missing (then the app would try to start private servers, which this image has not).
RUN groupadd --system --gid 10001 citylearn \
    && useradd --system --uid 10001 --gid citylearn --home-dir /home/citylearn \
        --create-home --shell /usr/sbin/nologin citylearn \
    && install -d -o citylearn -g citylearn /var/lib/citylearn

# Every dependency ships wheels for this platform, so no compiler is needed. The project
# is installed as a regular (non-editable) package; the source folder is removed after.
WORKDIR /tmp/citylearn-src
COPY pyproject.toml README.md ./
COPY server ./server
COPY schema ./schema
COPY workers ./workers
COPY partners ./partners
COPY web ./web
RUN pip install . \
    && cd / \
    && rm -rf /tmp/citylearn-src \
    && citylearn --help > /dev/null

WORKDIR /home/citylearn
USER citylearn:citylearn

ENV CITYLEARN_ENV=production \
    CITYLEARN_DATA_DIR=/var/lib/citylearn \
    PORT=8000

EXPOSE 8000

# /healthz answers 200 only when the database answers too; urllib raises on anything else.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["citylearn", "serve", "--host", "0.0.0.0"]
