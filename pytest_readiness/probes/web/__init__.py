"""The application from outside: HTTP headers, CSP, CORS, rate limits, TLS, auth, health, DNS."""
