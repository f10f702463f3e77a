"""community: a paid membership site with a Q&A knowledge base, deals and rebates."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from community.config import load_config
from community.extensions import babel, csrf, db, limiter, login_manager, migrate
from community.numbers import IdConverter
from community.request_log import configure_logging
from community.startup import log_start_summary


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides defaults and environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
        instance_relative_config=False,
        template_folder="../templates",
        static_folder="../static",
    )
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = str(config["INSTANCE_PATH"])
    load_config(app, config)
    configure_logging(app)
    warn_about_offline_payments(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    register_extensions(app)
    # Before any route is added: every `<int:…>` part of a URL is an id within the columns' range.
    app.url_map.converters["int"] = IdConverter
    register_blueprints(app)
    register_jobs(app)
    register_template_helpers(app)
    from community import edge_cache, limits, metrics, request_log
    from community.errors import register_error_handlers
    from community.security import init_security

    register_error_handlers(app)
    metrics.init_app(app)
    request_log.init_app(app)
    edge_cache.init_app(app)
    init_security(app)
    limits.drop_idle_request_pass(app)
    register_cli(app)
    log_start_summary(app)
    return app


def warn_about_offline_payments(app: Flask) -> None:
    """A production site taking test payments must not go unnoticed."""
    if app.config["ENV_NAME"] == "production" and app.config["OFFLINE_PAYMENTS"]:
        logging.getLogger(__name__).warning(
            "PAYMENTS_OFFLINE is on in production: the offline TEST provider grants memberships "
            "without any money. Use it on a staging site only."
        )


def register_extensions(app: Flask) -> None:
    from community import database
    from community.accounts.services import load_session_user
    from community.i18n import install_template_gettext, select_locale

    db.init_app(app)
    # Registered after Flask-SQLAlchemy's teardown, so it runs first (teardowns run in reverse).
    app.teardown_appcontext(lambda _error: database.close_session(db.session))
    database.configure_sqlite()
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.user_loader(load_session_user)


def register_blueprints(app: Flask) -> None:
    from community import membership, rebates
    from community.accounts.views import bp as accounts_bp
    from community.affiliate import models as affiliate_models  # noqa: F401 - its tables
    from community.api.deals import bp as deals_api_bp
    from community.api.views import bp as api_bp
    from community.billing import (
        member_refund,  # noqa: F401 - its routes, on billing's blueprint
        renewal_prompt,
    )
    from community.billing.operator_views import bp as members_bp
    from community.billing.views import bp as billing_bp
    from community.deals import alert_views, discussion_views, tip_views
    from community.deals import home as deals_home
    from community.deals import sharing as deal_sharing  # noqa: F401 - adds the card routes
    from community.deals import versions as deal_versions
    from community.deals.atom import register_deal_feeds
    from community.deals.operator_views import bp as deal_operations_bp
    from community.deals.views import bp as deals_bp
    from community.feeds.views import bp as feeds_bp
    from community.media import storage as media_storage
    from community.media.views import bp as media_bp
    from community.membership.views import bp as tiers_bp
    from community.operations.views import bp as operations_bp
    from community.pages.views import bp as pages_bp
    from community.qa import home as qa_home
    from community.qa import media as qa_media
    from community.qa import unrendered
    from community.qa.feeds import register_qa_feeds
    from community.qa.pages import versions as render_versions
    from community.qa.search import source as search_source
    from community.qa.search import views as search_views
    from community.qa.views import bp as qa_bp
    from community.rebates.views import member_bp as rebates_bp
    from community.rebates.views import operator_bp as rebate_operations_bp
    from community.rendering import cache as rendering_cache
    from community.search import indexer
    from community.sharing.views import bp as sharing_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(tiers_bp)
    app.register_blueprint(qa_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(search_views.api_bp)
    app.register_blueprint(rebates_bp)
    app.register_blueprint(rebate_operations_bp)
    app.register_blueprint(deals_bp)
    app.register_blueprint(deal_operations_bp)
    app.register_blueprint(deals_api_bp)
    app.register_blueprint(discussion_views.bp)
    app.register_blueprint(tip_views.bp)
    app.register_blueprint(alert_views.bp)
    membership.init_app(app)
    renewal_prompt.init_app(app)
    rebates.init_app(app)
    register_qa_feeds()
    register_deal_feeds()
    qa_home.init_app(app)
    deals_home.init_app(app)
    media_storage.init_storage(app)
    qa_media.init_app(app)
    search_source.init_app(app)
    render_versions.init_app()
    deal_versions.init_app()
    unrendered.init_app()
    rendering_cache.init_app(app)
    indexer.init_app(app)


def register_jobs(app: Flask) -> None:
    """The job layer, its operator page, and each domain's periodic tasks (they register)."""
    from community.billing import tasks as billing_tasks  # noqa: F401 - registers its tasks
    from community.deals import tasks as deal_tasks  # noqa: F401 - registers its tasks
    from community.jobs import runner
    from community.jobs.views import bp as jobs_bp
    from community.qa import tasks as qa_tasks  # noqa: F401 - registers its tasks
    from community.search import tasks as search_tasks  # noqa: F401 - registers its tasks

    runner.init_app(app)
    app.register_blueprint(jobs_bp)


def register_template_helpers(app: Flask) -> None:
    from community import templating

    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from community.accounts.cli import users_cli
    from community.backups.cli import backup_command, restore_command
    from community.billing.cli import billing_cli
    from community.deals.cli import deals_cli
    from community.demo import demo_cli
    from community.jobs.cli import jobs_cli
    from community.media.cli import media_cli
    from community.operations.cli import doctor
    from community.qa.cli import qa_cli
    from community.rebates.cli import rebates_cli
    from community.search.cli import search_cli

    for group in (
        users_cli,
        demo_cli,
        billing_cli,
        qa_cli,
        search_cli,
        rebates_cli,
        deals_cli,
        jobs_cli,
        media_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(doctor)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
