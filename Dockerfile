FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
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
