# Spoter's production image (docker-compose.yml runs it as web, worker, beat and migrate).
# The locked runtime packages, translations compiled and static files collected at build time,
# run as a non-root user that can write only to var/ (uploaded media).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH

# The same uv as the Makefile's UV_VERSION.
RUN pip install uv==0.13.8

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev

# The project, folder by folder: a plain `COPY . .` would also bring a local .venv/, var/ (with
# its secret_key and SQLite files) and .env into the image. Add new top-level folders here.
COPY manage.py ./
COPY spoter/ spoter/
COPY inbox/ inbox/
COPY audience/ audience/
COPY bots/ bots/
COPY campaigns/ campaigns/
COPY billing/ billing/
COPY empaty/ empaty/
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/

# Settings must import for these commands. Without DATABASE_URL they take the embedded default,
# which only creates its var folder: keep that in /tmp and move the collected files to the
# STATIC_ROOT the running image uses (var/static, read by whitenoise).
RUN export SECRET_KEY=build-only-secret-key-never-used-at-run-time SPOTER_VAR_DIR=/tmp/build-var \
    && python manage.py compiletranslations \
    && python manage.py collectstatic --no-input \
    && mkdir -p var/media \
    && mv /tmp/build-var/static var/static \
    && rm -rf /tmp/build-var

# var/media is where the media volume is mounted; a fresh named volume takes this ownership.
RUN useradd --create-home --uid 10001 spoter && chown spoter:spoter var var/media
USER spoter

EXPOSE 8000
CMD ["uvicorn", "spoter.asgi:application", "--host", "0.0.0.0", "--port", "8000"]
