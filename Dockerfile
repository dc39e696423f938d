# clientbase: the Telegram bot (and the `clientbase` command) in a slim image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CLIENTBASE_DATA_DIR=/data \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
COPY pyproject.toml README.md ./
COPY analysis ./analysis
COPY reports ./reports
COPY bot ./bot
RUN pip install ".[postgres]" \
    && useradd --create-home --uid 10001 clientbase \
    && mkdir -p /data \
    && chown clientbase:clientbase /data

USER clientbase
VOLUME ["/data"]
# Webhook mode listens here when WEBHOOK_URL is set; long polling needs no port.
EXPOSE 8443
ENTRYPOINT ["clientbase"]
CMD ["bot"]
