#!/bin/sh
# Starts Chromium ($CORS_ACTIX_CHROMIUM_EXE) so that the kernel kills it (SIGKILL) when the
# thread that launched it ends: a test binary never leaves a browser behind, even when it is
# killed. Used by the browser suite's harness (src/browser.rs) when setpriv (util-linux) exists.
exec setpriv --pdeathsig KILL -- "$CORS_ACTIX_CHROMIUM_EXE" "$@"
