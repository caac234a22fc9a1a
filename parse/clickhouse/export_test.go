package clickhouse

// NetworkSQL exposes networkSQL to the tests that run it on the server.
var NetworkSQL = networkSQL

// DurationSQL exposes durationSQL.
var DurationSQL = durationSQL
