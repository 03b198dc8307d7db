/* confab-history-search.c: finding conversations by what was said
 *
 * The full-text index uses FTS5's trigram tokenizer: it matches any
 * substring of three characters or more, which is what searching Chinese
 * (written without spaces) needs; the default tokenizer would see a whole
 * sentence as one word. Shorter queries, such as the two characters of
 * 烤鸭, cannot use a trigram index and fall back to a LIKE scan.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-history-private.h"

#define DEFAULT_LIMIT       50
#define MIN_INDEXED_CHARS   3
#define SNIPPET_TOKENS      24
#define SNIPPET_BEFORE      16
#define SNIPPET_CHARS       56
/* A match in the title counts as much as two in a message. */
#define TITLE_WEIGHT        2.0

/* Splits on ASCII and ideographic (U+3000) spaces. */
static GPtrArray *
split_terms (const char *query)
{
  g_autoptr(GString) spaced = g_string_new (query);
  g_auto(GStrv) words = NULL;
  GPtrArray *terms = g_ptr_array_new_with_free_func (g_free);

  g_string_replace (spaced, "\u3000", " ", 0);
  words = g_strsplit_set (spaced->str, " \t\r\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (terms, g_strdup (words[i]));
  return terms;
}

static gboolean
terms_are_indexable (GPtrArray *terms)
{
  for (guint i = 0; i < terms->len; i++)
    if (g_utf8_strlen (g_ptr_array_index (terms, i), -1) < MIN_INDEXED_CHARS)
      return FALSE;
  return TRUE;
}

/* Each term as an FTS5 string, so that user input is never parsed as
 * query syntax; consecutive strings must all match. */
static char *
fts_expression (GPtrArray *terms)
{
  GString *expr = g_string_new (NULL);

  for (guint i = 0; i < terms->len; i++)
    {
      const char *term = g_ptr_array_index (terms, i);

      g_string_append (expr, i > 0 ? " \"" : "\"");
      for (const char *p = term; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (expr, '"');
          g_string_append_c (expr, *p);
        }
      g_string_append_c (expr, '"');
    }
  return g_string_free (expr, FALSE);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, column));
}

/* Runs a one-column, one-row query bound to ?1 = @text (unless NULL) and
 * ?2 = @number. */
static char *
query_string (ConfabHistoryDb  *db,
              const char       *sql,
              const char       *text,
              gint64            number,
              GError          **error)
{
  sqlite3_stmt *stmt = confab_history_db_prepare (db, sql, error);
  char *value = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, number);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    confab_history_db_set_error (db, rc, error);
  else if (value == NULL)
    value = g_strdup ("");
  return value;
}

/* Ranking
 *
 * Each matching message, and each matching title, is a candidate for its
 * conversation; a conversation ranks by its best candidate. The grouping
 * happens here rather than in SQL: a GROUP BY over tens of thousands of
 * matches sorts them all in a temporary B-tree, which took most of the
 * time of a search for a common word in the benchmark. */

typedef struct
{
  double score;     /* lower is better */
  gint64 message;   /* the best message, 0 for the title */
} Candidate;

static void
add_candidate (GHashTable *candidates,
               const char *conversation,
               double      score,
               gint64      message,
               gboolean    sum)
{
  Candidate *candidate = g_hash_table_lookup (candidates, conversation);

  if (candidate == NULL)
    {
      candidate = g_new0 (Candidate, 1);
      candidate->score = score;
      candidate->message = message;
      g_hash_table_insert (candidates, g_strdup (conversation), candidate);
      return;
    }
  if (sum)
    candidate->score += score;
  else if (score < candidate->score)
    candidate->score = score;
  else
    return;
  /* Summing, rows come oldest first: the snippet shows the latest match.
   * A title keeps the message's snippet, which says more. */
  if (message != 0)
    candidate->message = message;
}

/* Runs @stmt, whose rows are (conversation, score, message). */
static gboolean
collect_candidates (ConfabHistoryDb  *db,
                    sqlite3_stmt     *stmt,
                    GHashTable       *candidates,
                    double            weight,
                    gboolean          sum,
                    GError          **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_candidate (candidates, (const char *)sqlite3_column_text (stmt, 0),
                   sqlite3_column_double (stmt, 1) * weight, sqlite3_column_int64 (stmt, 2), sum);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

typedef struct
{
  const char *conversation;
  Candidate  *candidate;
} Ranked;

/* Best score first; among equals, the one with the most recent message. */
static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Candidate *x = ((const Ranked *)a)->candidate;
  const Candidate *y = ((const Ranked *)b)->candidate;

  if (x->score != y->score)
    return x->score < y->score ? -1 : 1;
  return x->message > y->message ? -1 : x->message < y->message;
}

static GArray *
rank_candidates (GHashTable *candidates,
                 guint       limit)
{
  GArray *ranked = g_array_sized_new (FALSE, FALSE, sizeof (Ranked),
                                      g_hash_table_size (candidates));
  GHashTableIter iter;
  Ranked entry;

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, (gpointer *)&entry.conversation,
                                 (gpointer *)&entry.candidate))
    g_array_append_val (ranked, entry);
  g_array_sort (ranked, compare_ranked);
  if (ranked->len > limit)
    g_array_set_size (ranked, limit);
  return ranked;
}

typedef char *(*SnippetFunc) (ConfabHistoryDb  *db,
                              gint64            conversation_num,
                              const char       *title,
                              gint64            message,
                              gpointer          data,
                              GError          **error);

/* The hits for the ranked conversations: title, time and snippet. */
static GPtrArray *
make_hits (ConfabHistoryDb  *db,
           GArray           *ranked,
           SnippetFunc       snippet_func,
           gpointer          data,
           GError          **error)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;

  for (guint i = 0; i < ranked->len; i++)
    {
      Ranked *entry = &g_array_index (ranked, Ranked, i);
      g_autofree char *snippet = NULL;
      g_autofree char *title = NULL;
      gint64 updated, num;
      int rc;

      stmt = confab_history_db_prepare (db, "SELECT title, updated, num FROM conversations "
                                            "WHERE id = ?", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, entry->conversation, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          confab_history_db_set_error (db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, error);
          return NULL;
        }
      title = column_dup (stmt, 0);
      updated = sqlite3_column_int64 (stmt, 1);
      num = sqlite3_column_int64 (stmt, 2);
      sqlite3_reset (stmt);

      snippet = snippet_func (db, num, title, entry->candidate->message, data, error);
      if (snippet == NULL)
        return NULL;
      g_ptr_array_add (hits, confab_history_hit_new (entry->conversation, title, updated,
                                                     entry->candidate->score, snippet));
    }
  return g_steal_pointer (&hits);
}

static GHashTable *
new_candidates (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* Full-text search */

static char *
fts_snippet (ConfabHistoryDb  *db,
             gint64            conversation_num,
             const char       *title,
             gint64            message,
             gpointer          expression,
             GError          **error)
{
  if (message != 0)
    return query_string (db,
      "SELECT snippet (messages_fts, 0, char (1), char (2), '…', " G_STRINGIFY (SNIPPET_TOKENS) ") "
      "FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid = ?2",
      expression, message, error);

  return query_string (db,
    "SELECT highlight (conversations_fts, 0, char (1), char (2)) "
    "FROM conversations_fts WHERE conversations_fts MATCH ?1 AND rowid = ?2",
    expression, conversation_num, error);
}

/* bm25 per message (lower is better); the covering index messages_owner
 * finds each message's conversation without reading the message. */
static GPtrArray *
fts_search (ConfabHistoryDb  *db,
            GPtrArray        *terms,
            guint             limit,
            GError          **error)
{
  g_autoptr(GHashTable) candidates = new_candidates ();
  g_autoptr(GArray) ranked = NULL;
  g_autofree char *expression = fts_expression (terms);
  sqlite3_stmt *stmt;

  stmt = confab_history_db_prepare (db,
    "SELECT m.conversation, bm25 (messages_fts), messages_fts.rowid "
    "FROM messages_fts JOIN messages m INDEXED BY messages_owner ON m.id = messages_fts.rowid "
    "WHERE messages_fts MATCH ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  if (!collect_candidates (db, stmt, candidates, 1.0, FALSE, error))
    return NULL;

  stmt = confab_history_db_prepare (db,
    "SELECT c.id, bm25 (conversations_fts), 0 "
    "FROM conversations_fts JOIN conversations c ON c.num = conversations_fts.rowid "
    "WHERE conversations_fts MATCH ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  if (!collect_candidates (db, stmt, candidates, TITLE_WEIGHT, FALSE, error))
    return NULL;

  ranked = rank_candidates (candidates, limit);
  return make_hits (db, ranked, fts_snippet, expression, error);
}

/* LIKE fallback */

/* Case-insensitive for ASCII only, like SQLite's LIKE. */
static gsize
match_length_at (const char *p,
                 GPtrArray  *terms)
{
  for (guint i = 0; i < terms->len; i++)
    {
      const char *term = g_ptr_array_index (terms, i);
      gsize len = strlen (term);

      if (g_ascii_strncasecmp (p, term, len) == 0)
        return len;
    }
  return 0;
}

static const char *
find_first_match (const char *text,
                  GPtrArray  *terms)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (match_length_at (p, terms) > 0)
      return p;
  return text;
}

/* About SNIPPET_CHARS characters around the first match, matches marked. */
static char *
like_snippet (const char *text,
              GPtrArray  *terms)
{
  const char *match = find_first_match (text, terms);
  const char *start = match;
  const char *p;
  GString *out = g_string_new (NULL);
  guint n_chars = 0;

  for (guint i = 0; i < SNIPPET_BEFORE && start > text; i++)
    start = g_utf8_prev_char (start);
  if (start > text)
    g_string_append (out, "…");

  for (p = start; *p != '\0' && n_chars < SNIPPET_CHARS; n_chars++)
    {
      gsize len = match_length_at (p, terms);

      if (len > 0)
        {
          g_string_append (out, CONFAB_HISTORY_HIT_OPEN);
          g_string_append_len (out, p, len);
          g_string_append (out, CONFAB_HISTORY_HIT_CLOSE);
          p += len;
          continue;
        }
      g_string_append_unichar (out, g_utf8_get_char (p));
      p = g_utf8_next_char (p);
    }
  if (*p != '\0')
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static char *
like_pattern (const char *term)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = term; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* " AND text LIKE ?1 ESCAPE '\' AND text LIKE ?2 ESCAPE '\' …" */
static char *
like_condition (const char *column,
                guint       n_terms)
{
  GString *condition = g_string_new (NULL);

  for (guint i = 1; i <= n_terms; i++)
    g_string_append_printf (condition, " AND %s LIKE ?%u ESCAPE '\\'", column, i);
  return g_string_free (condition, FALSE);
}

/* Not cached: the text depends on the number of terms. @select ends with
 * a WHERE clause, which the terms' conditions extend. */
static sqlite3_stmt *
prepare_like (ConfabHistoryDb  *db,
              const char       *select,
              const char       *column,
              GPtrArray        *terms,
              GError          **error)
{
  g_autofree char *condition = like_condition (column, terms->len);
  g_autofree char *sql = g_strconcat (select, condition, NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (confab_history_db_get_handle (db), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      confab_history_db_set_error (db, rc, error);
      return NULL;
    }
  for (guint i = 0; i < terms->len; i++)
    sqlite3_bind_text (stmt, i + 1, like_pattern (g_ptr_array_index (terms, i)), -1, g_free);
  return stmt;
}

static gboolean
collect_like (ConfabHistoryDb  *db,
              const char       *select,
              const char       *column,
              GPtrArray        *terms,
              GHashTable       *candidates,
              double            weight,
              GError          **error)
{
  sqlite3_stmt *stmt = prepare_like (db, select, column, terms, error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  ok = collect_candidates (db, stmt, candidates, weight, TRUE, error);
  sqlite3_finalize (stmt);
  return ok;
}

static char *
like_hit_snippet (ConfabHistoryDb  *db,
                  gint64            conversation_num,
                  const char       *title,
                  gint64            message,
                  gpointer          terms,
                  GError          **error)
{
  g_autofree char *text = NULL;

  if (message == 0)
    return like_snippet (title, terms);

  text = query_string (db, "SELECT text FROM messages WHERE id = ?2", NULL, message, error);
  return text ? like_snippet (text, terms) : NULL;
}

/* Ranks by the number of matching messages (a title counting twice). */
static GPtrArray *
like_search (ConfabHistoryDb  *db,
             GPtrArray        *terms,
             guint             limit,
             GError          **error)
{
  g_autoptr(GHashTable) candidates = new_candidates ();
  g_autoptr(GArray) ranked = NULL;

  /* Like the full-text index, which has no streaming rows (see
   * schema_v2 in confab-history-db.c): a reply is found once it ends. */
  if (!collect_like (db, "SELECT conversation, 1, id FROM messages "
                         "WHERE state IS NOT 'streaming'", "text", terms,
                     candidates, -1.0, error) ||
      !collect_like (db, "SELECT id, 1, 0 FROM conversations WHERE TRUE", "title", terms,
                     candidates, -TITLE_WEIGHT, error))
    return NULL;

  ranked = rank_candidates (candidates, limit);
  return make_hits (db, ranked, like_hit_snippet, terms, error);
}

/* Conversations matching every whitespace-separated term of @query, most
 * relevant first. */
GPtrArray *
confab_history_db_search (ConfabHistoryDb  *db,
                          const char       *query,
                          guint             limit,
                          GError          **error)
{
  g_autoptr(GPtrArray) terms = split_terms (query);
  GPtrArray *hits;

  if (terms->len == 0)
    return g_ptr_array_new_with_free_func (g_object_unref);
  if (limit == 0)
    limit = DEFAULT_LIMIT;

  /* One read transaction, so that the snippets come from the same
   * snapshot as the ranking. */
  if (!confab_history_db_exec (db, "BEGIN", error))
    return NULL;
  if (terms_are_indexable (terms))
    hits = fts_search (db, terms, limit, error);
  else
    hits = like_search (db, terms, limit, error);
  confab_history_db_rollback (db);
  return hits;
}
