"""Building and serving the Reflex frontend without Reflex's bun download (used by `pharos up`).

- `ensure_bun()` installs bun from the npm registry into `./.tools/bun` when none is on PATH and
  returns the environment Reflex needs to use it (no telemetry, no PyPI version check).
- `build_frontend()` runs `reflex export --frontend-only --no-zip` only when the sources changed
  (hash of app/**/*.py, rxconfig.py and assets/), so a warm start skips the build entirely.
- `backend_command()` / `backend_env()` run the Reflex backend in prod mode; `app/app.py` serves
  the prebuilt `.web/build/client` from that same process, so UI and API share one port and no
  bun/node runs at run time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = ROOT / ".tools" / "bun"
WEB_DIR = ROOT / ".web"
BUILD_DIR = WEB_DIR / "build" / "client"
STAMP_FILE = WEB_DIR / "pharos-build.sha256"
SOURCE_GLOBS = ("app/**/*.py", "rxconfig.py", "assets/**/*")
BUN_SPEC = "bun@1"


class FrontendError(RuntimeError):
    """The frontend could not be prepared (no npm, build failure)."""


def _npm_registry() -> str:
    npm = shutil.which("npm")
    if not npm:
        return ""
    try:
        out = subprocess.run(
            [npm, "config", "get", "registry"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    value = out.stdout.strip().splitlines()[-1].strip() if out.stdout.strip() else ""
    return value if value.startswith("http") else ""


def _bun_bin_dir() -> Path | None:
    local = TOOLS_DIR / "node_modules" / ".bin"
    if (local / "bun").exists():
        return local
    system = shutil.which("bun")
    return Path(system).parent if system else None


def ensure_bun() -> dict[str, str]:
    """Make bun available and return the env vars Reflex needs (merge them into os.environ)."""
    env = {
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    registry = os.environ.get("NPM_CONFIG_REGISTRY") or _npm_registry()
    if registry:
        env["NPM_CONFIG_REGISTRY"] = registry
    bin_dir = _bun_bin_dir()
    if bin_dir is None:
        npm = shutil.which("npm")
        if not npm:
            raise FrontendError("bun is missing and npm was not found: install Node.js/npm (or bun) first")
        TOOLS_DIR.mkdir(parents=True, exist_ok=True)
        cmd = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS_DIR), BUN_SPEC]
        if registry:
            cmd += ["--registry", registry]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise FrontendError(f"installing bun from npm failed:\n{result.stderr[-2000:]}")
        bin_dir = _bun_bin_dir()
        if bin_dir is None:
            raise FrontendError("bun was installed from npm but its binary was not found")
    path = os.environ.get("PATH", "")
    if str(bin_dir) not in path.split(os.pathsep):
        path = f"{bin_dir}{os.pathsep}{path}" if path else str(bin_dir)
    env["PATH"] = path
    return env


def source_hash() -> str:
    """SHA-256 over the paths and contents of everything the compiled frontend depends on."""
    digest = hashlib.sha256()
    files: set[Path] = set()
    for pattern in SOURCE_GLOBS:
        files.update(p for p in ROOT.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        if path.is_relative_to(ROOT / "assets" / "external"):
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    try:
        import reflex

        digest.update(getattr(reflex, "__version__", "").encode())
    except ImportError:  # pragma: no cover - reflex is a hard dependency
        pass
    return digest.hexdigest()


def frontend_is_current() -> bool:
    return (
        (BUILD_DIR / "index.html").exists() and STAMP_FILE.exists() and STAMP_FILE.read_text().strip() == source_hash()
    )


def _reflex_executable() -> list[str]:
    exe = Path(sys.executable).with_name("reflex")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "reflex"]


LOCKED_PACKAGE_JSON = ROOT / "reflex.lock" / "package.json"


def _read_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _keep_readable_package_json(committed: bytes | None) -> None:
    """`reflex export` rewrites reflex.lock/package.json on one line even when nothing changed:
    put the committed bytes back when the content is the same, else write it indented, so the
    file only shows up in `git status` when a dependency really changed."""
    current = _read_bytes(LOCKED_PACKAGE_JSON)
    if current is None or current == committed:
        return
    try:
        data = json.loads(current)
        same = committed is not None and json.loads(committed) == data
    except ValueError:
        return
    LOCKED_PACKAGE_JSON.write_bytes(committed if same and committed else (json.dumps(data, indent=2) + "\n").encode())


def build_frontend(force: bool = False, *, quiet: bool = False) -> bool:
    """Export the frontend when sources changed (or `force`); return True when it built."""
    wanted = source_hash()
    if not force and frontend_is_current():
        return False
    env = {**os.environ, **ensure_bun()}
    # The export only compiles pages; it must not need a live database or Redis.
    env.pop("REFLEX_REDIS_URL", None)
    env["PHAROS_FRONTEND_EXPORT"] = "1"
    started = time.perf_counter()
    cmd = [*_reflex_executable(), "export", "--frontend-only", "--no-zip", "--loglevel", "warning"]
    committed = _read_bytes(LOCKED_PACKAGE_JSON)
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=quiet, text=True, check=False)
    _keep_readable_package_json(committed)
    if result.returncode != 0 or not (BUILD_DIR / "index.html").exists():
        detail = ((result.stdout or "") + (result.stderr or ""))[-4000:] if quiet else ""
        raise FrontendError(f"`reflex export` failed (exit {result.returncode}){': ' + detail if detail else ''}")
    STAMP_FILE.write_text(wanted + "\n")
    if not quiet:
        print(f"frontend built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return True


def backend_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The command that serves UI + API on one port (prod mode, prebuilt frontend); loopback
    unless a wider bind is asked for."""
    return [
        *_reflex_executable(),
        "run",
        "--env",
        "prod",
        "--backend-only",
        "--backend-host",
        host,
        "--backend-port",
        str(port),
        "--loglevel",
        "warning",
    ]


def backend_env(port: int) -> dict[str, str]:
    """Environment for `backend_command` (merge over os.environ).

    Workers: PHAROS_WEB_WORKERS (default 2). More than one worker needs the Redis state manager,
    which rxconfig.py enables whenever REDIS_URL or REFLEX_REDIS_URL is set.
    """
    env = {
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_ENV_MODE": "prod",
        "PHAROS_SERVE_FRONTEND": "1",
        "PHAROS_PORT": str(port),
        "REFLEX_USE_GRANIAN": "1",
        "GRANIAN_WORKERS": os.environ.get("PHAROS_WEB_WORKERS", "2"),
        "PYTHONUNBUFFERED": "1",
    }
    if not (os.environ.get("REFLEX_REDIS_URL") or os.environ.get("REDIS_URL")):
        env["GRANIAN_WORKERS"] = "1"  # the disk state manager is per process
    return env


def main() -> int:  # pragma: no cover - convenience: `python -m app.cli.frontend [--force]`
    os.environ.update(ensure_bun())
    built = build_frontend(force="--force" in sys.argv)
    print("built" if built else "up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
