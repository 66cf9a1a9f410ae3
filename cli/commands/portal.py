"""`credit portal [--host H] [--port P]`: the web portal for the units and the credit office (issue #17)."""

from __future__ import annotations

import sys

from cli.output import out
from credit.portal.app import PortalConfigError, create_app
from credit.portal.server import serve
from credit.settings import load_settings
from deployments.runs import PrefectLauncher


def run(args) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    try:
        launcher = PrefectLauncher()  # reruns through PREFECT_API_URL, when one is configured
        app = create_app(settings, launcher if launcher.api_url else None)
    except PortalConfigError as exc:
        out(str(exc), sys.stderr)
        return 2
    out(f"门户地址：http://{args.host}:{args.port}/（按 Ctrl+C 停止）")
    serve(app, args.host, args.port)
    return 0
