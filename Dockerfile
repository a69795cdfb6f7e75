FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 NUMBA_CACHE_DIR=/tmp/numba-cache
WORKDIR /app
# Debian's Chromium renders the SWOT workshop record to PDF/PNG (swot/exports.py, CHROMIUM_PATH).
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY finance ./finance
COPY planning ./planning
COPY stakeholders ./stakeholders
COPY swot ./swot
RUN pip install --no-cache-dir .
COPY . .
RUN useradd --create-home spielraum && mkdir -p var/media staticfiles && chown -R spielraum var staticfiles
USER spielraum
EXPOSE 8000
# The web process: migrate, collectstatic (or stop with a message), uvicorn (WEB_CONCURRENCY processes).
CMD ["scripts/serve.sh"]
