# Samenspel in a container: Debian slim with Debian's own Python, the README's install from the lock file, and a
# user of its own. README.md, "Running it as a service", says how to run it (docker-compose.yml: replicas and
# PostgreSQL behind a TLS proxy).
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install --yes --no-install-recommends python3 python3-venv ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*

# Nothing in the image belongs to it: it can write only its home, where an SQLite file would live.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/samenspel --shell /usr/sbin/nologin samenspel

WORKDIR /opt/samenspel
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
# The README's install, as it is written there: the exact versions of the lock file, then the project.
ENV PIP_NO_CACHE_DIR=1
RUN python3 -m venv .venv && .venv/bin/pip install -r requirements.lock .

ENV PATH=/opt/samenspel/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SAMENSPEL_STORAGE__PATH=/var/lib/samenspel/samenspel.db \
    SAMENSPEL_WEBHOOK__LISTEN=0.0.0.0 \
    SAMENSPEL_OPS__LISTEN=0.0.0.0

USER samenspel
WORKDIR /var/lib/samenspel
# 8443: the webhook (for the proxy in front); 9090: /healthz, /readyz, /metrics (internal only).
EXPOSE 8443 9090
# samenspel drains on SIGTERM (not ready, 503 to Telegram, finishes what is in hand) and exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9090/healthz', timeout=2)"]
CMD ["samenspel", "run", "--webhook"]
