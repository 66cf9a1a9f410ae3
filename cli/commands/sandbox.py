"""`credit sandbox`: a local stand-in for 信用湛江."""

from __future__ import annotations

import sys

from cli.output import out
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, serve_forever


def run(args) -> int:
    def ready(url: str) -> None:
        # The demo key and secret are public values of this local stand-in, printed so that a person can
        # point the pipeline at it; no real credential is ever printed.
        out(f"信用湛江模拟接口已启动：{url}")
        out("演示凭据（仅限本机测试）：")
        out(f"  CREDIT_PLATFORM_URL={url}")
        out(f"  CREDIT_PLATFORM_APP_KEY={DEMO_APP_KEY}")
        out(f"  CREDIT_PLATFORM_APP_SECRET={DEMO_APP_SECRET}")
        out("按 Ctrl+C 停止。")
        sys.stdout.flush()

    serve_forever(host=args.host, port=args.port, state_path=args.state, on_ready=ready)
    return 0
