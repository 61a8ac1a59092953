use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_says_ok_while_the_database_answers() {
    let app = spawn_app().await;
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn healthz_says_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    steward::on_db!(&app.state.db, |pool| pool.close().await);
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn a_failed_migration_stops_start_up_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::fresh_database_url(&dir).await;
    // A table in the way of the first migration.
    let db = steward::server::db::Db::connect(&url).await.unwrap();
    steward::on_db!(&db, |pool| sqlx::query(
        "CREATE TABLE accounts (nonsense INTEGER)"
    )
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let config =
        steward::server::infra::config::Config::for_database(url, dir.path().to_path_buf());
    let options = leptos::config::LeptosOptions::builder()
        .output_name("steward")
        .build();
    let err = steward::server::web::state::AppState::open(config, options)
        .await
        .err()
        .expect("refused");
    assert!(
        format!("{err:#}").contains("database migration failed"),
        "{err:#}"
    );
}
