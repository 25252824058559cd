/**
 * The comment that starts a statement whose text never varies (its values are parameters), so
 * the pg client may send it as a named prepared statement: PostgreSQL then parses it once per
 * connection instead of at every call (libs/postgres's `namedIfMarked` reads the mark; a
 * projector starts such a `sql` template with `preparedMark` from @kob/projections). A comment,
 * so a client that ignores it runs the statement as it is. After a deferred write's own mark, if
 * any.
 */
export const preparedStatementMark = '/* kobatela: prepared */ ';
