#!/usr/bin/env python3
"""Regenerates docs/validation.md from the rule catalog below and the reviewed compile-fail
outputs (tests/ui/fail/*.stderr), so that the error texts in the reference are exactly the ones
users see. Run from the repository root after `TRYBUILD=overwrite` and review:

    python3 scripts/gen-validation-doc.py
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UI = os.path.join(ROOT, "tests", "ui", "fail")
RUNTIME = "cors-core/tests/validation_rules.rs"

# (title, ProblemKind(s), why, compile-fail cases, runtime tests)
RULES = [
    ("Wildcards with credentials", "WildcardWithCredentials",
     "With `credentials`, browsers fail the CORS check when `Access-Control-Allow-Origin` is `*`, and read `*` in `Access-Control-Allow-Headers` / `Access-Control-Expose-Headers` as a header literally named `*` (Fetch Standard, CORS check). The policy would silently not work.",
     ["wildcard_origin_with_credentials", "wildcard_headers_with_credentials", "wildcard_expose_with_credentials"],
     ["wildcard_origin_with_credentials", "wildcard_headers_with_credentials", "wildcard_expose_with_credentials"]),
    ("Origin syntax, as browsers serialize it", "InvalidOrigin",
     "Browsers send the serialized origin: `scheme://host[:port]`, lowercase, ASCII (punycode) host, canonical IPv4/IPv6, no default port, no path (not even `/`), query, fragment or userinfo. Any other spelling can never equal a real `Origin` header, so the entry would silently allow nothing. The suggestion is what the WHATWG URL parser (the `url` crate) serializes for the input.",
     ["origin_not_browser_serialized", "origin_path_query_fragment_userinfo", "origin_uppercase", "origin_default_port", "origin_non_ascii_host", "origin_invalid_ip", "origin_invalid_port", "origin_missing_scheme"],
     ["origin_not_browser_serialized", "origin_path_query_fragment_userinfo", "origin_uppercase", "origin_default_port", "origin_non_ascii_host", "origin_invalid_ip", "origin_invalid_port", "origin_missing_scheme"]),
    ("Wildcard syntax", "InvalidWildcard",
     "`*` means one thing only: leading labels (`https://*.example.com`, never the apex) or any port (`http://localhost:*`). Anything else (`app.*.example.com`, `*example.com`, a wildcard scheme, a bare `*` host, a subdomain wildcard over an IP address) is either meaningless or far broader than intended.",
     ["invalid_wildcard"], ["invalid_wildcard"]),
    ("`null` origin needs an explicit opt-in", "NullOrigin (and InvalidOrigin for `Null`)",
     "Every sandboxed iframe, `data:` URL, `file:` page and some redirects send `Origin: null`, including an attacker's: allowing `null` allows them all. Allowed only with the loudly named `allow_null_origin`.",
     ["null_origin", "null_origin_misspelled"], ["null_origin", "null_origin_misspelled"]),
    ("`file://` origins", "FileOrigin",
     "Browsers never send a `file://` origin (pages loaded from files have the origin `null`), so the entry can never match; rejected even with `allow_null_origin`.",
     ["file_origin"], ["file_origin"]),
    ("Insecure origins with credentials", "InsecureOrigin",
     "A plain-`http` origin can be forged by anyone on the network path (a MITM can inject a page of that origin), who could then read credentialed responses. Loopback (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`) cannot be reached that way and is allowed. Regexes are checked on the literal prefixes of their matches. Opt-in: `allow_insecure_origins`.",
     ["insecure_origin_with_credentials", "insecure_regex_with_credentials"], ["insecure_origin_with_credentials", "insecure_regex_with_credentials"]),
    ("Subdomain wildcards over a public suffix", "PublicSuffixWildcard",
     "`https://*.com`, `https://*.co.uk` or `https://*.github.io` allow sites anyone can register. Checked with the `psl` crate's copy of the Public Suffix List (ICANN and private sections), including wildcard rules (`*.compute.amazonaws.com`: every child is a public suffix) and top-level domains the list does not know (`*.test`, `*.local`). `*.localhost` is allowed (RFC 6761 loopback). The list is consulted when a declaration is validated: at compile time for the macros, at `build()` for runtime builders, never while deciding a request (a server built with the macros links no `psl` code). It comes with the `public-suffix-list` feature of `cors-actix`/`cors-core`, on by default; an app that builds no policy at run time may turn it off to save its build time (about 50 s of a release build), and runtime builders then refuse every subdomain wildcard other than `*.localhost` (`public_suffix_wildcard_without_the_list_fails_closed`, run with `--no-default-features`). The macros always have the list.",
     ["public_suffix_wildcard"], ["public_suffix_wildcard", "public_suffix_wildcard_without_the_list_fails_closed"]),
    ("Regexes must compile", "InvalidRegex",
     "A pattern that does not compile would match nothing (the runtime fails closed); the error names the reason and the position.",
     ["invalid_regex"], ["invalid_regex"]),
    ("Regexes must be anchored", "UnanchoredRegex",
     "Without `^` and `$`, a regex also matches origins that merely contain the pattern (`https://app.example.com.evil.com`). Anchoring is checked on the parsed regex, not on the text, so `^a|b$` (each alternative anchored at one end only) and `(?m)` are caught; the suggestion groups the alternation: `^(?:a|b)$`.",
     ["unanchored_regex"], ["unanchored_regex"]),
    ("No unescaped `.` in a regex host", "UnescapedDotInRegex",
     "An unescaped `.` matches any character: `^https://app.example.com$` also matches `https://appXexample.com`, a domain anyone can register. `.` followed by a quantifier (`.*`, `.+`, `.?`, `.{n}`) is taken as deliberate.",
     ["unescaped_dot_in_regex"], ["unescaped_dot_in_regex"]),
    ("Duplicate origins", "DuplicateOrigin",
     "The same entry twice is a copy-paste slip that hides which list is really meant.",
     ["duplicate_origin"], ["duplicate_origin"]),
    ("Origins already covered by another entry", "ShadowedOrigin",
     "An exact origin (or a narrower wildcard) already allowed by a subdomain wildcard, an any-port rule or a regex of the same list is dead weight, and usually a sign that the wildcard is broader than intended.",
     ["shadowed_origin"], ["shadowed_origin"]),
    ("Entries next to `\"*\"`", "RedundantEntry",
     "`\"*\"` already allows every origin: other entries suggest the author believes the list restricts something.",
     ["redundant_next_to_star"], ["redundant_next_to_star"]),
    ("`origins` is required and not empty", "MissingOrigins, EmptyOrigins",
     "A policy must say who may read responses; an empty list allows nothing.",
     ["missing_origins", "empty_origins"], ["missing_origins", "empty_origins"]),
    ("Forbidden methods; method names", "ForbiddenMethod, InvalidMethod, NonCanonicalMethod, DuplicateMethod",
     "Browsers never send CONNECT, TRACE or TRACK cross-origin (Fetch \"forbidden method\"). A route's methods come from its route attribute (a `#[trace]` route under `#[cors]` is an error at the attribute); `cors_policy!(methods = [...])` is checked for the same, plus invalid tokens, non-uppercase standard methods (methods are case-sensitive: browsers send `GET`) and duplicates. A misspelled method in a route attribute is left to actix-web, which reports it (one error, not two).",
     ["forbidden_method_route", "forbidden_method_route_attr", "invalid_methods_policy", "route_method_lowercase"], ["forbidden_method"]),
    ("`\"*\"` is not a method", "WildcardMethod",
     "`*` is a valid token, so `methods = [\"*\"]` would be read as a method named `*` that no browser ever sends: every preflight refused. A policy without `methods` already allows every method but CONNECT, TRACE and TRACK; listing methods restricts them. (Everywhere else in the DSL `\"*\"` means any; here the meaning is the default, so the entry is refused with that hint rather than given a second spelling.)",
     ["wildcard_method"], ["wildcard_method"]),
    ("Header names are tokens", "InvalidHeaderName",
     "A name with a space, a colon or non-ASCII characters can never appear in `Access-Control-Request-Headers`.",
     ["invalid_header_name"], ["invalid_header_name"]),
    ("Forbidden request headers in `headers`", "ForbiddenRequestHeader",
     "Pages can never set `Cookie`, `Host`, `Content-Length`, `Sec-*`, `Proxy-*` ... (Fetch \"forbidden request-header\"): listing them shows a misunderstanding (for cookies, the fix is `credentials`). `Content-Type`, `Accept` and the other CORS-safelisted names are fine: they need permission for some values (e.g. `application/json`).",
     ["forbidden_request_header"], ["forbidden_request_header"]),
    ("CORS protocol headers in `headers`", "CorsProtocolHeader",
     "`Access-Control-*` headers are set by the browser or the server, never by a page's request: listing them is a mix-up between request and response headers.",
     ["cors_protocol_header"], ["cors_protocol_header"]),
    ("Duplicate header names", "DuplicateHeader",
     "Header names are case-insensitive: `X-Request-Id` and `x-request-id` are the same entry.",
     ["duplicate_header"], ["duplicate_header"]),
    ("`Set-Cookie` in `expose`", "ForbiddenExposedHeader",
     "Browsers never let a page read `Set-Cookie`/`Set-Cookie2`, whatever the server exposes.",
     ["set_cookie_exposed"], ["set_cookie_exposed"]),
    ("Always-readable headers in `expose`", "SafelistedExposedHeader",
     "`Cache-Control`, `Content-Language`, `Content-Length`, `Content-Type`, `Expires`, `Last-Modified` and `Pragma` are always readable (CORS-safelisted response headers): exposing them is redundant.",
     ["safelisted_exposed"], ["safelisted_exposed"]),
    ("Request-only headers in `expose`", "RequestOnlyExposedHeader",
     "`Access-Control-Request-Method`, `Access-Control-Request-Headers` and `Access-Control-Request-Private-Network` are sent by browsers in preflights and never appear on a response: exposing them has no effect, and listing them is a mix-up between request and response headers.",
     ["request_only_exposed"], ["request_only_exposed"]),
    ("`\"*\"` never covers `Authorization`", "RedundantEntry (in `headers`); at run time `Reason::AuthorizationNotCovered`",
     "Browsers never let `Access-Control-Allow-Headers: *` cover `Authorization`: it must be listed by name. Enforced twice: (1) at declaration, next to `\"*\"` the only name that may be listed is `Authorization` (any other is reported as redundant, with a message that says only `Authorization` needs listing), so `headers = [\"*\", \"Authorization\"]` is the way to allow everything; (2) at run time, a preflight asking for `authorization` under a bare `\"*\"` is refused with `Reason::AuthorizationNotCovered`, mirroring the browser. A bare `headers = \"*\"` is not an error: a public API may well not use `Authorization`.",
     ["authorization_under_star"], ["authorization_under_star"]),
    ("`max_age` bounds", "MaxAgeTooLarge, MaxAgeNegative",
     "Firefox caps preflight caching at 86400 s and Chromium at 7200 s: a larger value only misleads the reader; a negative one is meaningless.",
     ["max_age_too_large", "max_age_negative", "max_age_expression"], ["max_age_too_large", "max_age_negative"]),
    ("Unknown or misspelled keys (macros)", "compile time only",
     "A misspelled key (`orgins`, `credential`) would otherwise be ignored or fail obscurely; the error suggests the closest key (optimal string alignment distance).",
     ["unknown_key"], []),
    ("Duplicated keys (macros)", "compile time only",
     "Which of two values would win is not obvious.",
     ["duplicate_key"], []),
    ("Values of the wrong type (macros)", "compile time only",
     "Lists take string literals, `max_age` a whole number, `policy` a string, flags no value (or `true`/`false`); `key = value`, not `key: value` or `key(...)`; `regex(..)` takes exactly one string literal. Each malformed entry is reported and the rest of the declaration is still checked.",
     ["wrong_value_types", "flag_with_value", "key_without_value", "unquoted_values", "regex_bad_arguments"], []),
    ("`policy = \"..\"` mixed with inline keys (macros)", "compile time only",
     "A named policy comes whole from the middleware at run time: inline keys next to it would be ignored.",
     ["policy_with_inline_keys", "policy_empty_name"], []),
    ("`disable` mixed with other keys (macros)", "compile time only",
     "`disable` turns CORS off for the route: other keys would be ignored.",
     ["disable_with_keys"], []),
    ("Macro misuse", "compile time only",
     "`#[cors]` must sit directly above one actix-web route attribute of an `async fn` (below it, it cannot see the route: the error says to move it); `#[routes]` (several paths), two route attributes and two `#[cors]` are rejected; a route's methods come from its attribute (no `methods` in `#[cors]`); `policy` and `disable` only make sense on a route (not in `cors_policy!`); `regex(..)` is only for `origins`.",
     ["cors_below_route", "cors_without_route", "cors_on_struct", "handler_not_async", "handler_in_impl_block", "aliased_route_attribute", "utoipa_below_cors", "two_route_attributes", "cors_twice", "methods_in_cors", "policy_in_cors_policy", "disable_in_cors_policy", "regex_outside_origins"], []),
    ("Every problem at once", "all",
     "One compilation (or one `build()`) reports every problem of a declaration, each at its own token, in declaration order.",
     ["every_problem_at_once", "cors_policy_problems"], ["every_problem_at_once"]),
]


BUILD_COST = """## What validation costs a build

Measured on the project's 2-core machine (shared, so a few tenths of a second are noise), debug
profile unless said otherwise. Re-measure with `scripts/measure-macro-cost.sh [N] [RUNS]`.

- **Per handler**: a crate of 50 handlers under varied `#[cors(...)]` (exact origins, wildcards,
  regexes, credentials, headers) against the same crate without `#[cors]`, rebuilt after a touch
  with dependencies built, median of 5 runs, three sessions: `cargo check` +0.05 s to +0.6 s
  (0.38 s against 0.33 s in the quietest run), `cargo build` +0.14 s (2.08 s against 1.94 s;
  other runs were within the noise, -0.2 s to +1.2 s). At most about 12 ms per `#[cors]`.
- **Once per clean build**: the Public Suffix List is a 2.5 MB generated `match` in the `psl`
  crate, monomorphized into `cors-core`: `psl` itself takes 8-17 s, and it adds about 8 s to
  `cors-core` in debug (13 s against 5 s) and about 31 s in release (38 s against 7 s for the
  runtime copy; the proc-macro's copy is built at opt-level 0). An app that builds no policy at
  run time can turn off `cors-actix`'s default `public-suffix-list` feature: the macros keep the
  list (their copy of `cors-core` always has it), the runtime copy does without; measured on a
  release rebuild of `cors-core` and its dependents: 37.8 s against 55.3 s.
- **Never at run time**: no decision reads the list (only `declare/validate/public_suffix.rs` uses `psl`, checked
  by `cors-core/tests/psl_off_request_path.rs`), and the server binary of the 50-handler crate
  links no `psl` symbol at all (`nm`), against about 11 600 in a binary that calls
  `Policy::builder()`.
"""


def errors_of(case):
    """The error messages (with their help lines) of a .stderr file."""
    text = open(os.path.join(UI, case + ".stderr"), encoding="utf-8").read()
    out = []
    for block in re.split(r"\n\n+", text.strip()):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("error"):
            continue
        msg = []
        for line in lines:
            if line.lstrip().startswith("-->"):
                break
            msg.append(re.sub(r"^ {9}= ", "  = ", line))
        caret = next((l for l in lines if re.match(r"^\s*\d*\s*\|\s*[\^]+", l)), None)
        src = None
        for i, l in enumerate(lines):
            if caret is not None and l == caret and i > 0:
                src = lines[i - 1]
        out.append(("\n".join(msg), src, caret))
    return out


def main():
    all_cases = sorted(f[:-3] for f in os.listdir(UI) if f.endswith(".rs"))
    listed = {c for r in RULES for c in r[3]}
    missing = [c for c in all_cases if c not in listed]
    assert not missing, f"cases missing from the catalog: {missing}"
    doc = []
    doc.append("# Validation rules\n")
    doc.append(
        "Every `#[cors(...)]` / `cors_policy!(...)` declaration and every `Policy::builder()...build()` "
        "goes through one function, `cors_core::__private::validate`. The macros turn each problem into a "
        "compile error at the exact token, all at once, written as `message` then `= help: suggestion`; "
        "`build()` returns `Err(PolicyError)` listing every `Problem { kind, location, message, suggestion }` "
        "(it never panics). The texts below are copied from the reviewed compile-fail outputs "
        "(`tests/ui/fail/*.stderr`) by `scripts/gen-validation-doc.py`; the runtime builder reports the "
        "same message and suggestion.\n")
    doc.append("| # | rule | `ProblemKind` | compile-fail cases (`tests/ui/fail/`) | runtime test (`" + RUNTIME + "`) |")
    doc.append("|---|---|---|---|---|")
    for i, (title, kind, why, cases, rt) in enumerate(RULES, 1):
        doc.append(f"| {i} | [{title}](#{i}) | {kind} | {', '.join('`'+c+'.rs`' for c in cases)} | {', '.join('`'+t+'`' for t in rt) or 'n/a (the builder API is typed)'} |")
    doc.append("")
    for i, (title, kind, why, cases, rt) in enumerate(RULES, 1):
        doc.append(f'<a id="{i}"></a>\n## {i}. {title}\n')
        doc.append(f"**Why.** {why}\n")
        doc.append("**What the user sees.**\n")
        for case in cases:
            doc.append(f"`{case}.rs`:\n")
            doc.append("```text")
            first = True
            for msg, src, caret in errors_of(case):
                if not first:
                    doc.append("")
                first = False
                doc.append(msg)
                if src and caret:
                    doc.append(src)
                    doc.append(caret)
            doc.append("```\n")
    doc.append(BUILD_COST)
    open(os.path.join(ROOT, "docs", "validation.md"), "w", encoding="utf-8").write("\n".join(doc))


if __name__ == "__main__":
    main()
