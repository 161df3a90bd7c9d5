//! The one error shape of the API: `{"error": {"code": "...", "message": "..."}}`.
//!
//! `code` is a stable machine-readable word (the list is [`ErrorCode`]);
//! `message` is for people and may change between versions.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use dossier_store::StoreError;
use serde::Serialize;

/// Stable error codes, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The search query cannot be parsed or answered as written (400).
    BadQuery,
    /// A query or path parameter is unknown, repeated, missing or out of range (400).
    BadParameter,
    /// A document id prefix is too short or matches several documents (400).
    AmbiguousId,
    /// Malformed request the router itself rejected (400).
    BadRequest,
    /// Missing or wrong bearer token (401).
    Unauthorized,
    /// No such route or no such document (404).
    NotFound,
    /// The route exists but not for this HTTP method (405).
    MethodNotAllowed,
    /// The request body is larger than the server accepts (413).
    PayloadTooLarge,
    /// The request took longer than the server's time limit (503).
    Timeout,
    /// Something failed on the server side; details are in the server log (500).
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::BadQuery,
        ErrorCode::BadParameter,
        ErrorCode::AmbiguousId,
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Timeout,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadQuery => "bad_query",
            ErrorCode::BadParameter => "bad_parameter",
            ErrorCode::AmbiguousId => "ambiguous_id",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadQuery
            | ErrorCode::BadParameter
            | ErrorCode::AmbiguousId
            | ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code for an error status produced outside our handlers (router,
    /// tower-http layers), so those responses get the same shape.
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status.as_u16() {
            401 => ErrorCode::Unauthorized,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            408 | 503 | 504 => ErrorCode::Timeout,
            413 => ErrorCode::PayloadTooLarge,
            // The router's own 400s are path or query values it could not decode.
            400 => ErrorCode::BadParameter,
            _ if status.is_client_error() => ErrorCode::BadRequest,
            _ => ErrorCode::Internal,
        }
    }
}

/// An error answered to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadParameter, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Internal, message)
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'static str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let body = serde_json::to_vec(&Envelope {
            error: Inner {
                code: self.code.as_str(),
                message: &self.message,
            },
        })
        .unwrap_or_else(|_| br#"{"error":{"code":"internal","message":"error"}}"#.to_vec());
        let mut resp = Response::new(Body::from(body));
        *resp.status_mut() = self.code.status();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.code == ErrorCode::Unauthorized {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dossier\""),
            );
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NoSuchDocument(_)
            | StoreError::NoSuchEntity(_)
            | StoreError::NoSuchEvent(_) => ApiError::new(ErrorCode::NotFound, e.to_string()),
            StoreError::Invalid(_) => ApiError::new(ErrorCode::BadParameter, e.to_string()),
            StoreError::AmbiguousId(_) => ApiError::new(ErrorCode::AmbiguousId, e.to_string()),
            StoreError::InvalidQuery(_) => ApiError::new(ErrorCode::BadQuery, e.to_string()),
            // Backend details (SQL, paths) belong in the server log, not the answer.
            StoreError::Missing { .. }
            | StoreError::Open { .. }
            | StoreError::TooNew { .. }
            | StoreError::Backend(_) => {
                eprintln!("dossier serve: store error: {e}");
                ApiError::internal("the knowledge base could not answer; see the server log")
            }
        }
    }
}
