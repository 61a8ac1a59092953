//! The HTTP application: Leptos pages and server functions, health, and the layers around them.

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::LazyLock;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::app::{App, shell};
use crate::server::db::Db;
use crate::server::identity::auth_session;
use crate::server::infra::config::MetricsMode;
use crate::server::web::metrics;
use crate::server::web::state::AppState;
use crate::server::web::{headers, health, input_guard, request_meta};

/// The page routes, listed once per process.
///
/// Listing renders the app with resource loading switched off by a flag that is global to the
/// process (`leptos::server::SuppressResourceLoad`): a page whose data began to load in that window
/// would wait forever. Listing once, before any router exists to serve a page, closes the window
/// for every router built later (the tests build one per test, concurrently).
static PAGE_ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

pub fn router(state: AppState) -> Router {
    let routes = PAGE_ROUTES.clone();
    let options = state.leptos_options.clone();
    let metrics_on = state.config.metrics == MetricsMode::On;
    let mut app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/activity.csv", get(crate::server::audit::export::csv))
        .route(
            "/language",
            post(crate::server::identity::language_choice::switch_language).layer(
                axum::extract::DefaultBodyLimit::max(crate::domain::limits::MAX_FIELD_BYTES),
            ),
        );
    if metrics_on {
        // Off, `/metrics` is not routed at all: it gets the ordinary 404 page.
        app = app.route("/metrics", get(metrics::scrape));
    }
    let app = app
        .merge(crate::compat::routes())
        .leptos_routes_with_context(&state, routes, || (), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone());
    let app = match &state.db {
        Db::Sqlite(pool) => app.layer(auth_session::layer(
            SqliteStore::new(pool.clone()),
            &state.config,
        )),
        Db::Postgres(pool) => app.layer(auth_session::layer(
            PostgresStore::new(pool.clone()),
            &state.config,
        )),
    };
    let app = app
        .layer(middleware::from_fn(
            crate::server::identity::current::install_caller_memo,
        ))
        .layer(middleware::from_fn(
            crate::server::web::negotiation::choose_language,
        ))
        .layer(middleware::from_fn(input_guard::server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            input_guard::guard_server_fn_input,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_meta::request_id,
        ));
    // Outermost, so that every answer counts (refusals and error pages too), yet still inside
    // the router: `Router::layer` wraps each route, where axum has set the `MatchedPath`.
    if metrics_on {
        app.layer(middleware::from_fn_with_state(state, metrics::record))
    } else {
        app
    }
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
