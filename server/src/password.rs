//! `POST /api/password`: the signed-in user changes their own password —
//! also the one step a user with a reset password may take. Their other
//! sessions end remotely; the rules are `validate::new_password`'s.

use axum::extract::State;
use axum::http::StatusCode;

use roundbook_shared::api::PasswordChange;

use crate::admin::audit_by;
use crate::auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::signin::{not_locked, turned, AnySignedIn, ClientAddress};
use crate::state::AppState;
use crate::store::{run_blocking, NewPassword};
use crate::validate;

pub async fn change(
    State(app): State<AppState>,
    address: ClientAddress,
    AnySignedIn(user): AnySignedIn,
    JsonBody(change): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let username = user.access.username.clone();
    validate::new_password(&username, &change.new)?;
    if change.new == change.old {
        return Err(ApiError::Invalid(
            "password_unchanged",
            "the new password must differ from the current one".into(),
        ));
    }
    if change.old.len() > validate::MAX_PASSWORD_BYTES {
        return Err(ApiError::WrongPassword);
    }
    // A stolen token may not guess the password faster than a sign-in can.
    not_locked(&app, &username, &address).await?;
    let store = app.store.clone();
    let lookup = username.clone();
    let account = run_blocking(move || store.account(&lookup))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let verified = app
        .sign_in
        .verify(address.0, change.old, account.password_hash)
        .await
        .map_err(|refused| turned(&app, refused))?;
    if !verified {
        app.throttle.failed(&username, address.0).await?;
        return Err(ApiError::WrongPassword);
    }
    let password_hash = app
        .sign_in
        .hash(change.new)
        .await
        .map_err(|refused| turned(&app, refused))?;
    let audit = audit_by(
        &user,
        "password_changed",
        &username,
        "other sessions ended".into(),
    );
    let store = app.store.clone();
    let own = auth::token_hash(&user.token);
    let ended = run_blocking(move || {
        let new = NewPassword::chosen(&username, &password_hash, Some(&own));
        store.set_password(new, &audit)
    })
    .await?;
    app.syncs.end_sessions(&ended);
    tracing::info!(user = %user.access.username, "password changed");
    Ok(StatusCode::NO_CONTENT)
}
