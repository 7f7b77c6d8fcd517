# One ClassLab server (a replica). compose.yaml runs several behind HAProxy; README,
# "Serving a class".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# torch's CPU build from PyTorch's own index first: from PyPI, torch==2.13.0 on Linux x86-64
# is the CUDA build (several GB). The requirements then find torch already installed.
COPY requirements.txt .
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
    && pip install -r requirements.txt

RUN useradd --create-home --uid 10001 classlab
COPY .streamlit .streamlit
COPY app.py .
COPY assets assets
COPY deploy deploy
COPY lib lib
COPY pages pages
USER classlab

EXPOSE 8501
# python, not curl: the slim image has no curl
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["python", "-c", \
    "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"]
# deploy.launcher.SERVER_COMMAND with deploy.launcher.replica_flags("0.0.0.0", 8501) (tests/test_deploy.py checks)
CMD ["python", "-m", "deploy.serve", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--server.enableXsrfProtection=true"]
