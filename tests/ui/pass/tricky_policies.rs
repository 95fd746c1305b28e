// Tricky but valid `cors_policy!` declarations.
use cors_actix::{cors_policy, Policy};

pub fn main() {
    let any: &'static Policy = cors_policy!(origins = "*");
    assert!(!any.allows_credentials());

    let subdomains_any_port = cors_policy!(
        origins = [
            "https://*.example.com:*",
            "https://*.example.co.uk",
            "http://*.localhost:*"
        ],
        credentials,
    );
    assert!(subdomains_any_port.allows_credentials());

    let methods = cors_policy!(
        origins = [regex(r"\Ahttps://(?:app|admin)\.example\.com\z")],
        methods = ["GET", "POST", "PURGE"],
        headers = ["X-Request-Id"],
        max_age = 7200,
    );
    assert_eq!(methods.max_age(), Some("7200"));

    let chrome_extension =
        cors_policy!(origins = ["chrome-extension://abcdefghijklmnopabcdefghijklmnop"]);
    let _ = chrome_extension;
}
