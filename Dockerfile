# tenant-sandbox in a container: docker build -t tenant-sandbox . && \
#   docker run --rm -p 8080:8080 -e MOCK_SERVER_ADMIN_TOKEN=change-me tenant-sandbox
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 sandbox
WORKDIR /opt/tenant-sandbox
COPY pyproject.toml README.md LICENSE ./
COPY mock_server ./mock_server
COPY openapi ./openapi
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . && rm -rf /opt/tenant-sandbox/*

USER sandbox
WORKDIR /home/sandbox
# Inside the container the sandbox must listen on every interface to be reachable
# through a published port; without MOCK_SERVER_ADMIN_TOKEN it says so loudly at start.
ENV MOCK_SERVER_HOST=0.0.0.0 \
    MOCK_SERVER_PORT=8080 \
    PYTHONUNBUFFERED=1
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/_sandbox/ready', timeout=2).status == 200 else 1)"]
CMD ["mock-server", "serve"]
