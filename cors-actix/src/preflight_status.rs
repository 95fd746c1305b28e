//! The status of an allowed preflight's answer: the `PreflightStatus` option of `Cors`.

/// The status of an allowed preflight's answer (see [`Cors::preflight_status`](crate::Cors::preflight_status)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreflightStatus {
    /// `204 No Content`, the default.
    #[default]
    NoContent,
    /// `200 OK`, for old clients that do not accept a 204.
    Ok,
}

impl PreflightStatus {
    /// The status code.
    ///
    /// ```
    /// use cors_actix::PreflightStatus;
    ///
    /// assert_eq!(PreflightStatus::default().code().as_u16(), 204);
    /// assert_eq!(PreflightStatus::Ok.code().as_u16(), 200);
    /// ```
    pub fn code(self) -> actix_web::http::StatusCode {
        match self {
            PreflightStatus::NoContent => actix_web::http::StatusCode::NO_CONTENT,
            PreflightStatus::Ok => actix_web::http::StatusCode::OK,
        }
    }
}
