"""Settings for the outcomes knowledge bank: one file, configured by environment variables.

Every variable is read through a small typed helper that fails at start-up with a message
naming the variable, so a misconfigured server never half-starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GOLAB_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dj_database_url.DBConfig:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    raw = os.environ.get(name, "").strip() or default
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:///path or postgres://user:password@host:port/name URL; "
            f"got {raw!r}"
        )
    try:
        config = dj_database_url.parse(raw, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ImproperlyConfigured(f"{name} needs a file path for SQLite; got {raw!r}")
        # A busy writer (the importer) must not make readers fail at once.
        config["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA foreign_keys=ON;"}
        # Kept across requests: a new connection's first query parses the schema (about 2 ms,
        # most of a cached page's cost). golab/outage.py closes one whose file was moved away.
        config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    else:
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} must name the database; got {raw!r}")
        config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        # No JIT: the case list counts its facets in one many-part UNION ALL statement whose
        # estimated cost is far above jit_above_cost, and compiling that plan took 20 s of a
        # 23 s request at 100,000 projects (3 s without). Set per connection, so it needs no
        # ownership of the database and holds behind any pooler that passes startup options.
        config["OPTIONS"] = {"options": "-c jit=off"}
    return config


def secret_key(debug: bool) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32 and not debug:
            raise ImproperlyConfigured(
                "SECRET_KEY must be at least 32 characters when DEBUG is off"
            )
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if debug:
        return "insecure-development-key-" + "x" * 40
    if env_bool("GOLAB_GENERATE_SECRET_KEY", False):
        # A local run (make run / make test) keeps a generated key under var/, readable by us only.
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
    raise ImproperlyConfigured(
        "SECRET_KEY is required when DEBUG is off: set SECRET_KEY, or run `make run`, "
        "which generates var/secret_key"
    )


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'golab.sqlite3'}"),
}
# PostgreSQL read replicas, comma-separated URLs: public GET pages read from them, everything
# else uses the primary (golab/db_router.py says exactly what and why).
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_number}"] = {
        **env_database(f"DATABASE_REPLICA_URLS (URL {_number})", _url),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["golab.db_router.ReplicaRouter"] if len(DATABASES) > 1 else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# One cache shared by every app process on every server (pages, counts, the API's rate limit):
# a table in the database by default (`manage.py createcachetable`, run with migrate), or
# Redis with CACHE_URL=redis://host:port/db. common/cache.py keys results on the data version.
_CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if _CACHE_URL and urlsplit(_CACHE_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL; got {_CACHE_URL!r}")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "golab_cache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20_000, minimum=100)},
        }
    )
}
# GOLAB_CACHE=0 turns the result and page cache off (the benchmarks measure cold pages so).
RESULT_CACHE = env_bool("GOLAB_CACHE", True)
# Bytes of cached pages each process keeps too, checked against the shared data version on
# every request (common.cache); 0 keeps none.
RESULT_CACHE_LOCAL_BYTES = env_int("GOLAB_CACHE_LOCAL_BYTES", 8 * 1024 * 1024)
# Background jobs (admin imports): a queue in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "common",
    "cases",
    "evidence",
    "golab",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database outage in any view answers 503 with Retry-After; a server never creates
    # its SQLite file (golab/outage.py).
    "golab.outage.DatabaseOutageMiddleware",
    # Which requests may read from a replica (only used with DATABASE_REPLICA_URLS).
    "golab.db_router.ReplicaRoutingMiddleware",
    "golab.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: the API is open to any origin.
    "corsheaders.middleware.CorsMiddleware",
    # A NUL byte in a path or parameter is a 400 here, not a database error later.
    "golab.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor (django-otp)?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions end after SESSION_IDLE_TIMEOUT; no admin page without the second factor.
    "golab.second_factor.IdleSessionMiddleware",
    "golab.second_factor.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Popular public pages from the shared cache (inside CSP: a hit gets a fresh nonce).
    "golab.page_cache.PageCacheMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: the sixth failed login for an account from one address locks that account
# from that address for an hour. Locking by username alone would let anyone who knows a
# curator's username lock them out; by username and address together it cannot.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 6, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1, minimum=0) or None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = True
# The second factor for staff (golab/second_factor.py): the name authenticator apps show.
OTP_TOTP_ISSUER = "Outcomes Knowledge Bank"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "golab.urls"
WSGI_APPLICATION = "golab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "golab.context_processors.site",
                "golab.feeds.search_feed",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))


def file_storage() -> dict[str, Any]:
    """Where uploads live: MEDIA_ROOT, or with STORAGE_BACKEND=s3 a bucket on S3 or any
    S3-compatible object store (django-storages, the `deploy` extra), so that every app server
    sees every upload. Credentials come from the usual AWS_* variables or the instance role."""
    backend = os.environ.get("STORAGE_BACKEND", "filesystem").strip().lower()
    if backend == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend != "s3":
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be filesystem or s3; got {backend!r}")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "").strip() or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
            "location": os.environ.get("AWS_S3_LOCATION", "media").strip(),
            # Private objects: files are only ever served through the download view.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": file_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Security headers. A strict Content-Security-Policy with nonces: no inline script or style
# is allowed unless it carries the request's nonce.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses are turned off (golab.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# /.well-known/security.txt (RFC 9116): where to report a vulnerability.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "mailto:security@example.org").strip()
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# __Host- cookies are Secure, for this host only and the whole path: browsers refuse them
# otherwise, so a subdomain or plain-HTTP page cannot set or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Load balancers probe /health/ over plain HTTP: it answers them instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A staff session without a request for this many seconds is logged out.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Logins, failures, lockouts, publish, withdraw, import, restore.
        "golab.security": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# Shown wherever INDIGO data is displayed or exported (the data's terms of use).
INDIGO_ATTRIBUTION = (
    "Source: INDIGO Impact Bond Dataset, Government Outcomes Lab, University of Oxford"
)
SITE_NAME = "Outcomes Knowledge Bank"

# OAI-PMH (/oai, golab.oai): the contact a harvester sees, the name in the records' identifiers
# (oai:<name>:case/12; by convention a domain the repository owns) and the records per page.
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "outcomes-data@example.org").strip()
OAI_REPOSITORY_IDENTIFIER = os.environ.get("OAI_REPOSITORY_IDENTIFIER", "outcomes.example.org")
OAI_PAGE_SIZE = env_int("OAI_PAGE_SIZE", 100, minimum=1)

# The read-only open-data API (/api/v1/, golab.api): anonymous, read-only, rate-limited per
# client address through the default cache, JSON only (the browsable API would be a second
# set of HTML pages to keep accessible).
# The data's terms, carried by every API response and download with the attribution above.
INDIGO_LICENCE = "Data published under the terms of the INDIGO data licence"
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/minute").strip()
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["common.throttling.AnonThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # How many proxies in front of the app append to X-Forwarded-For: the rate limit counts
    # the address they saw. 0 (the default) trusts no such header, which clients could forge.
    "NUM_PROXIES": env_int("API_TRUSTED_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Read-only open data: case studies (impact bonds and other outcomes contracts), "
        "organisations, outcome funds, outcome metrics with their prices and results, and "
        f"evidence documents. {INDIGO_ATTRIBUTION}."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Anyone may read the API from a page on another site; nothing else is open to them.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "X-Data-Attribution", "X-Data-Licence", "Link"]
