"""The portal's application factory: settings checked, store migrated, middlewares, pages, errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse

from credit.portal import office_datadocs
from credit.portal.office_reruns import Launcher
from credit.portal.pages import environment, render
from credit.portal.routes import auth, clerk, office
from credit.portal.security import HEADERS, BodyLimit, SecurityHeaders
from credit.portal.sessions import LoginRequired, Visitor, csrf_guard
from credit.settings import Settings
from credit.store import init_db

STATIC = Path(__file__).resolve().parent / "static"
FORM_ROOM = 256 * 1024  # the multipart framing and the form's other fields
ERRORS = {
    400: "请求有误",
    403: "无权访问此页面，或表单已过期（请返回后刷新页面再提交）",
    404: "页面不存在",
    405: "不支持此操作",
    413: "上传内容过大，已拒收",
    422: "请求有误",
    500: "系统出错了，请稍后再试；如果一再出现，请联系市发展和改革局信用办",
}


class PortalConfigError(RuntimeError):
    """The portal cannot start with these settings (the Chinese reason)."""


def create_app(settings: Settings, launcher: Launcher | None = None) -> FastAPI:
    """`launcher`: starts the office's reruns through the Prefect API (deployments.runs.PrefectLauncher);
    None: the reruns page says reruns are not available."""
    if settings.portal_secret is None or len(settings.portal_secret.get_secret_value()) < 32:
        raise PortalConfigError(
            "未设置 CREDIT_PORTAL_SECRET（至少 32 个字符的随机字符串），门户不能启动。"
            '生成方法：python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    init_db(settings.database_url)
    app = FastAPI(
        title="雷州市信用信息报送门户",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.settings = settings
    app.state.jinja = environment(settings.timezone)
    app.state.launcher = launcher
    https = bool(settings.portal_url and settings.portal_url.lower().startswith("https://"))
    app.add_middleware(
        BodyLimit, limit=settings.portal_max_files * settings.portal_max_upload_bytes + FORM_ROOM
    )
    app.add_middleware(SecurityHeaders, https=https, policies={office_datadocs.PREFIX: office_datadocs.CSP})
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for area in (auth, clerk, office):
        app.include_router(area.router)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        return _error(request, 400)

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception):
        # Answered outside the middlewares (Starlette's outermost layer): the headers are added here.
        response = _error(request, 500)
        for name, value in (*HEADERS, (b"cache-control", b"no-store")):
            response.headers[name.decode()] = value.decode()
        return response

    return app


def _error(request: Request, status: int):
    # Nobody is shown as logged in on an error page, and its cookie is left as it is.
    nobody = Visitor(account=None, session_id=None, csrf="")
    return render(
        request, nobody, "error.html", status=status, message=ERRORS.get(status, "出错了"), code=status
    )
