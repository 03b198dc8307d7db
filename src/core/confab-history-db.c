/* confab-history-db.c: opening history.db, its schema and migrations
 *
 * WAL lets the app and confab-cli read while the other writes, and
 * busy_timeout makes a writer wait for the other instead of failing.
 * synchronous=NORMAL in WAL mode survives a crash of the program (what
 * kill -9 tests) without an fsync per streamed flush; only a power cut
 * can lose the last commits, never consistency.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "confab-history-private.h"
#include "confab-util.h"

#define BUSY_TIMEOUT_MS 10000

struct _ConfabHistoryDb
{
  sqlite3    *handle;
  char       *path;
  GHashTable *statements;   /* SQL text (static) → sqlite3_stmt */
  char       *writer_id;
  int         writer_fd;
};

/* Schema version 1. Timestamps are microseconds since the epoch, like
 * g_get_real_time(); durations are milliseconds. Unknown numbers are
 * NULL. Conversations have an integer key besides their id because the
 * full-text index of an external table needs a stable integer rowid. */
static const char schema_v1[] =
  "CREATE TABLE conversations ("
  "  num INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  title TEXT NOT NULL DEFAULT '',"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  account TEXT,"
  "  model TEXT,"
  "  system_prompt TEXT,"
  "  temperature REAL,"
  "  max_tokens INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX conversations_updated ON conversations (updated);"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,"
  "  role TEXT NOT NULL,"
  "  text TEXT NOT NULL DEFAULT '',"
  "  reasoning TEXT NOT NULL DEFAULT '',"
  "  state TEXT NOT NULL,"
  "  account TEXT,"
  "  provider TEXT,"
  "  model TEXT,"
  "  input_tokens INTEGER,"
  "  output_tokens INTEGER,"
  "  finish_reason TEXT,"
  "  error_code TEXT,"
  "  error_message TEXT,"
  "  created INTEGER NOT NULL,"
  "  ttft INTEGER,"
  "  duration INTEGER,"
  "  writer TEXT);"
  "CREATE INDEX messages_conversation ON messages (conversation, id);"
  /* Which conversation a search hit belongs to, without reading the row. */
  "CREATE INDEX messages_owner ON messages (id, conversation);"
  "CREATE INDEX messages_streaming ON messages (writer) WHERE state = 'streaming';"
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  text, content = 'messages', content_rowid = 'id', tokenize = 'trigram');"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
  "  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages"
  "  WHEN old.text IS NOT new.text BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
  "  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);"
  "END;"
  "CREATE VIRTUAL TABLE conversations_fts USING fts5 ("
  "  title, content = 'conversations', content_rowid = 'num', tokenize = 'trigram');"
  "CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN"
  "  INSERT INTO conversations_fts (rowid, title) VALUES (new.num, new.title);"
  "END;"
  "CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN"
  "  INSERT INTO conversations_fts (conversations_fts, rowid, title)"
  "    VALUES ('delete', old.num, old.title);"
  "END;"
  "CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations"
  "  WHEN old.title IS NOT new.title BEGIN"
  "  INSERT INTO conversations_fts (conversations_fts, rowid, title)"
  "    VALUES ('delete', old.num, old.title);"
  "  INSERT INTO conversations_fts (rowid, title) VALUES (new.num, new.title);"
  "END;";

/* Version 2: a reply is indexed for full-text search once it stops
 * streaming, not at every flush. Rewriting the index of a growing reply
 * at each flush cost a multiple of its size in memory (about 40 MiB for
 * an 8 MiB reply) and most of the CPU of recording it. Rows marked
 * "streaming" are left out of messages_fts; the code that moves a row out
 * of that state adds it (confab_history_db_index_finished()), in its own
 * statement, so that SQLite does not hold the rewritten row and the new
 * index entries in memory at once. The triggers keep every other row in
 * step, as before. */
static const char schema_v2[] =
  "DROP TRIGGER messages_fts_insert;"
  "DROP TRIGGER messages_fts_delete;"
  "DROP TRIGGER messages_fts_update;"
  "INSERT INTO messages_fts (messages_fts, rowid, text)"
  "  SELECT 'delete', id, text FROM messages WHERE state = 'streaming';"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages"
  "  WHEN new.state IS NOT 'streaming' BEGIN"
  "  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages"
  "  WHEN old.state IS NOT 'streaming' BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, state ON messages"
  "  WHEN old.state IS NOT 'streaming'"
  "    AND (new.state IS 'streaming' OR old.text IS NOT new.text) BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
  "  INSERT INTO messages_fts (rowid, text)"
  "    SELECT new.id, new.text WHERE new.state IS NOT 'streaming';"
  "END;";

/* migrations[n] takes the schema from version n to n + 1. */
static const char * const migrations[] = {
  schema_v1,
  schema_v2,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CONFAB_HISTORY_SCHEMA_VERSION);

/* The steps confab_history_db_open() applies, so that a test can make a
 * history of an older version. */
const char * const *
confab_history_db_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

G_DEFINE_QUARK (confab-history-error-quark, confab_history_error)

/* Errors */

static gboolean
errno_means_full (int errsv)
{
  return errsv == ENOSPC || errsv == EFBIG || errsv == EDQUOT;
}

GError *
confab_history_error_from_sqlite (sqlite3    *handle,
                                  int         rc,
                                  const char *path)
{
  const char *detail = handle ? sqlite3_errmsg (handle) : sqlite3_errstr (rc);
  int errsv = handle ? sqlite3_system_errno (handle) : 0;

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_FULL,
                          _("The disk holding the history (%s) is full; nothing was saved"),
                          path);
    case SQLITE_IOERR:
      if (errno_means_full (errsv))
        return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_FULL,
                            _("The disk holding the history (%s) is full; nothing was saved"),
                            path);
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_FAILED,
                          _("Could not read or write the history %s: %s"),
                          path, errsv ? g_strerror (errsv) : detail);
    case SQLITE_READONLY:
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_READ_ONLY,
                          _("The history %s is read-only; nothing was saved"), path);
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_CANTOPEN:
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_CANNOT_OPEN,
                          _("Cannot open the history %s: %s"),
                          path, errsv ? g_strerror (errsv) : detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_CORRUPT,
                          _("The history %s is damaged (%s). Confab has not changed it: "
                            "move it elsewhere to start a new history, or restore a backup"),
                          path, detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_BUSY,
                          _("Another program kept the history %s locked for more than "
                            "%d seconds; try again"), path, BUSY_TIMEOUT_MS / 1000);
    default:
      return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_FAILED,
                          _("The history %s failed: %s"), path, detail);
    }
}

/* Always returns FALSE, for "return confab_history_db_set_error (…)". */
gboolean
confab_history_db_set_error (ConfabHistoryDb  *db,
                             int               rc,
                             GError          **error)
{
  g_propagate_error (error, confab_history_error_from_sqlite (db->handle, rc, db->path));
  return FALSE;
}

static gboolean
handle_exec (sqlite3     *handle,
             const char  *path,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (handle, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  g_propagate_error (error, confab_history_error_from_sqlite (handle, rc, path));
  return FALSE;
}

static gboolean
handle_get_int (sqlite3     *handle,
                const char  *path,
                const char  *sql,
                gint64      *value,
                GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    g_propagate_error (error, confab_history_error_from_sqlite (handle, rc, path));
  sqlite3_finalize (stmt);
  return rc == SQLITE_OK;
}

/* Migrations */

/* VACUUM INTO writes a consistent copy even while another connection is
 * writing through the WAL. An existing backup of the same version is kept:
 * it is the older, so the more original, one. */
static gboolean
backup_before_migration (sqlite3     *handle,
                         const char  *path,
                         gint64       version,
                         GError     **error)
{
  g_autofree char *backup = g_strdup_printf ("%s.bak-%" G_GINT64_FORMAT, path, version);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (g_file_test (backup, G_FILE_TEST_EXISTS))
    return TRUE;

  rc = sqlite3_prepare_v2 (handle, "VACUUM INTO ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, backup, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;

  g_propagate_error (error, confab_history_error_from_sqlite (handle, rc, backup));
  g_prefix_error (error, _("Could not back up the history before upgrading it: "));
  g_unlink (backup);
  return FALSE;
}

static GError *
too_new_error (const char *path,
               gint64      version,
               guint       known)
{
  /* A format macro would cut the translatable string short. */
  g_autofree char *format = g_strdup_printf ("%" G_GINT64_FORMAT, version);

  return g_error_new (CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_TOO_NEW,
                      _("The history %s was written by a newer version of Confab "
                        "(format %s; this version reads up to %u). "
                        "Confab has not changed it: update Confab to open it"),
                      path, format, known);
}

/* A database at version 0 that already has tables belongs to someone else. */
static gboolean
check_foreign (sqlite3     *handle,
               const char  *path,
               GError     **error)
{
  gint64 n_tables = 0;

  if (!handle_get_int (handle, path, "SELECT count(*) FROM sqlite_schema", &n_tables, error))
    return FALSE;
  if (n_tables == 0)
    return TRUE;

  g_set_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_CORRUPT,
               _("%s is a database, but not a Confab history. Confab has not changed it: "
                 "move it elsewhere to start a new history"), path);
  return FALSE;
}

static gboolean
apply_migrations (sqlite3            *handle,
                  const char         *path,
                  const char * const *steps,
                  guint               n_steps,
                  gint64              from,
                  GError            **error)
{
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", n_steps);

  for (gint64 v = from; v < n_steps; v++)
    if (!handle_exec (handle, path, steps[v], error))
      return FALSE;
  return handle_exec (handle, path, set_version, error);
}

/* Brings the schema to version @n_migrations. The version is read again
 * inside the write transaction: another process may have migrated the
 * file while this one waited for the lock. */
gboolean
confab_history_db_migrate (sqlite3            *handle,
                           const char         *path,
                           const char * const *steps,
                           guint               n_steps,
                           GError            **error)
{
  gint64 version = 0;

  if (!handle_get_int (handle, path, "PRAGMA user_version", &version, error))
    return FALSE;
  if (version > n_steps)
    {
      g_propagate_error (error, too_new_error (path, version, n_steps));
      return FALSE;
    }
  if (version == n_steps)
    return TRUE;
  if (version > 0 && !backup_before_migration (handle, path, version, error))
    return FALSE;

  if (!handle_exec (handle, path, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!handle_get_int (handle, path, "PRAGMA user_version", &version, error) ||
      (version == 0 && !check_foreign (handle, path, error)))
    goto fail;
  if (version > n_steps)
    {
      g_propagate_error (error, too_new_error (path, version, n_steps));
      goto fail;
    }
  if (!apply_migrations (handle, path, steps, n_steps, version, error) ||
      !handle_exec (handle, path, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  sqlite3_exec (handle, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Streaming rows and who writes them
 *
 * A row is "streaming" only while a ConfabChatRecorder is filling it in.
 * After a crash it must become "interrupted", but another process may be
 * streaming into the same file right now. Each store that writes a
 * streaming row first takes an exclusive flock() on its own file under
 * history.db-writers/ and names it in the row; the kernel drops the lock
 * when the process dies however it dies, and flock works across the PID
 * namespaces of sandboxes, which a PID check would not. */

static char *
writers_dir (ConfabHistoryDb *db)
{
  return g_strconcat (db->path, "-writers", NULL);
}

static char *
writer_lock_path (ConfabHistoryDb *db,
                  const char      *writer_id)
{
  g_autofree char *dir = writers_dir (db);
  g_autofree char *name = g_strconcat (writer_id, ".lock", NULL);

  return g_build_filename (dir, name, NULL);
}

/* Returns the lock file to remove when its writer is gone, or NULL while
 * the writer lives. */
static char *
writer_is_gone (ConfabHistoryDb *db,
                const char      *writer_id)
{
  g_autofree char *lock = NULL;
  gboolean alive = FALSE;
  int fd;

  if (writer_id == NULL || strchr (writer_id, '/') != NULL || *writer_id == '.')
    return g_strdup ("");
  if (g_strcmp0 (writer_id, db->writer_id) == 0)
    return NULL;

  lock = writer_lock_path (db, writer_id);
  fd = g_open (lock, O_RDONLY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      alive = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
      close (fd);
    }
  return alive ? NULL : g_steal_pointer (&lock);
}

static gboolean
run_for_writer (ConfabHistoryDb  *db,
                const char       *sql,
                const char       *writer_id,
                GError          **error)
{
  sqlite3_stmt *stmt = confab_history_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, writer_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

/* Inside a transaction. The rows are indexed as they stop streaming
 * (see schema_v2). */
static gboolean
mark_interrupted (ConfabHistoryDb  *db,
                  const char       *writer_id,
                  GError          **error)
{
  return run_for_writer (db, "INSERT INTO messages_fts (rowid, text) "
                             "SELECT id, text FROM messages "
                             "WHERE state = 'streaming' AND writer IS ?", writer_id, error) &&
         run_for_writer (db, "UPDATE messages SET state = 'interrupted', writer = NULL "
                             "WHERE state = 'streaming' AND writer IS ?", writer_id, error);
}

static GPtrArray *
streaming_writers (ConfabHistoryDb  *db,
                   GError          **error)
{
  g_autoptr(GPtrArray) writers = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = confab_history_db_prepare (db, "SELECT DISTINCT writer FROM messages "
                                        "WHERE state = 'streaming'", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (writers, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      confab_history_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&writers);
}

/* Start-up: rows left "streaming" by a process that is gone. */
static gboolean
recover_interrupted (ConfabHistoryDb  *db,
                     GError          **error)
{
  g_autoptr(GPtrArray) writers = streaming_writers (db, error);
  g_autoptr(GPtrArray) stale_locks = g_ptr_array_new_with_free_func (g_free);

  if (writers == NULL)
    return FALSE;
  if (writers->len == 0)
    return TRUE;
  if (!confab_history_db_begin (db, error))
    return FALSE;

  for (guint i = 0; i < writers->len; i++)
    {
      const char *writer_id = g_ptr_array_index (writers, i);
      char *lock = writer_is_gone (db, writer_id);

      if (lock == NULL)
        continue;
      g_ptr_array_add (stale_locks, lock);
      if (!mark_interrupted (db, writer_id, error))
        {
          confab_history_db_rollback (db);
          return FALSE;
        }
    }

  if (!confab_history_db_commit (db, error))
    return FALSE;
  for (guint i = 0; i < stale_locks->len; i++)
    if (*(char *)g_ptr_array_index (stale_locks, i) != '\0')
      g_unlink (g_ptr_array_index (stale_locks, i));
  return TRUE;
}

/* The lock files of writers that died after their last reply was done. */
static void
sweep_stale_locks (ConfabHistoryDb *db)
{
  g_autofree char *dir = writers_dir (db);
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autofree char *stale = NULL;

      if (!g_str_has_suffix (name, ".lock"))
        continue;
      id = g_strndup (name, strlen (name) - strlen (".lock"));
      stale = writer_is_gone (db, id);
      if (stale != NULL && *stale != '\0')
        g_unlink (stale);
    }
}

/* Locked before it gets its name, so that a sweep never finds it free. */
static int
create_lock_file (const char  *lock,
                  GError     **error)
{
  g_autofree char *tmp = g_strconcat (lock, ".tmp", NULL);
  int fd = g_open (tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  int errsv;

  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0 && g_rename (tmp, lock) == 0)
    return fd;

  errsv = errno;
  if (fd >= 0)
    {
      close (fd);
      g_unlink (tmp);
    }
  g_set_error (error, CONFAB_HISTORY_ERROR,
               errno_means_full (errsv) ? CONFAB_HISTORY_ERROR_FULL
                                        : CONFAB_HISTORY_ERROR_CANNOT_OPEN,
               _("Cannot create %s: %s"), lock, g_strerror (errsv));
  return -1;
}

/* The id to put in the rows this store streams into, taking its lock the
 * first time. */
const char *
confab_history_db_claim_writer (ConfabHistoryDb  *db,
                                GError          **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *id = NULL;
  g_autofree char *lock = NULL;
  int fd;

  if (db->writer_id != NULL)
    return db->writer_id;

  dir = writers_dir (db);
  id = confab_new_id ();
  lock = writer_lock_path (db, id);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, CONFAB_HISTORY_ERROR,
                   errno_means_full (errsv) ? CONFAB_HISTORY_ERROR_FULL
                                            : CONFAB_HISTORY_ERROR_CANNOT_OPEN,
                   _("Cannot create %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }
  if ((fd = create_lock_file (lock, error)) < 0)
    return NULL;

  db->writer_fd = fd;
  db->writer_id = g_steal_pointer (&id);
  return db->writer_id;
}

static void
release_writer (ConfabHistoryDb *db)
{
  g_autofree char *lock = NULL;

  if (db->writer_id == NULL)
    return;
  /* Rows this store left streaming would otherwise look alive until the
   * next start-up of anyone. */
  if (confab_history_db_begin (db, NULL))
    {
      if (mark_interrupted (db, db->writer_id, NULL))
        confab_history_db_commit (db, NULL);
      else
        confab_history_db_rollback (db);
    }
  lock = writer_lock_path (db, db->writer_id);
  g_unlink (lock);
  close (db->writer_fd);
  db->writer_fd = -1;
  g_clear_pointer (&db->writer_id, g_free);
}

/* Opening */

static gboolean
make_parent_dir (const char  *path,
                 GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int errsv;

  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;

  errsv = errno;
  g_set_error (error, CONFAB_HISTORY_ERROR,
               errno_means_full (errsv) ? CONFAB_HISTORY_ERROR_FULL
                                        : CONFAB_HISTORY_ERROR_CANNOT_OPEN,
               _("Cannot create the folder %s for the history: %s"), dir, g_strerror (errsv));
  return FALSE;
}

static gboolean
configure (ConfabHistoryDb  *db,
           GError          **error)
{
  g_autofree char *busy = g_strdup_printf ("PRAGMA busy_timeout = %d", BUSY_TIMEOUT_MS);

  sqlite3_extended_result_codes (db->handle, 1);
  return handle_exec (db->handle, db->path, busy, error) &&
         handle_exec (db->handle, db->path, "PRAGMA journal_mode = WAL", error) &&
         handle_exec (db->handle, db->path, "PRAGMA synchronous = NORMAL", error) &&
         handle_exec (db->handle, db->path, "PRAGMA foreign_keys = ON", error);
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static ConfabHistoryDb *
open_once (const char  *path,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  ConfabHistoryDb *db;
  int rc;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_CANNOT_OPEN,
                   _("Cannot open the history %s: it is a folder"), path);
      return NULL;
    }
  if (!make_parent_dir (path, error))
    return NULL;
  /* Conversations are private: SQLite would create the file (and its
   * -wal and -shm, which copy its mode) readable by everyone. */
  if ((fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0)
    close (fd);

  db = g_new0 (ConfabHistoryDb, 1);
  db->path = g_strdup (path);
  db->writer_fd = -1;
  db->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);

  rc = sqlite3_open_v2 (path, &db->handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    local_error = confab_history_error_from_sqlite (db->handle, rc, path);
  else if (configure (db, &local_error) &&
           confab_history_db_migrate (db->handle, path, migrations,
                                      G_N_ELEMENTS (migrations), &local_error) &&
           recover_interrupted (db, &local_error))
    sweep_stale_locks (db);

  if (local_error != NULL)
    {
      confab_history_db_close (db);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return db;
}

ConfabHistoryDb *
confab_history_db_open (const char  *path,
                        GError     **error)
{
  gint64 deadline;

  g_return_val_if_fail (path != NULL, NULL);

  /* Two programs opening a new history at once: SQLite can answer one of
   * them "busy" at once, without waiting (switching the new file to WAL,
   * or reading the WAL index the other is building), and the first use
   * failed (found by test-history-cli's two-processes test, under load).
   * Starting over a moment later finds the file ready. */
  deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * (gint64) 1000;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      ConfabHistoryDb *db = open_once (path, &local_error);

      if (db != NULL)
        return db;
      if (!g_error_matches (local_error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_BUSY) ||
          g_get_monotonic_time () >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_usleep (50 * 1000);
    }
}

void
confab_history_db_close (ConfabHistoryDb *db)
{
  if (db == NULL)
    return;

  release_writer (db);
  g_clear_pointer (&db->statements, g_hash_table_unref);
  sqlite3_close_v2 (db->handle);
  g_free (db->path);
  g_free (db);
}

sqlite3 *
confab_history_db_get_handle (ConfabHistoryDb *db)
{
  return db->handle;
}

/* Statements are prepared once per connection and kept; @sql must be a
 * string literal, since its address is the key. The caller resets it. */
sqlite3_stmt *
confab_history_db_prepare (ConfabHistoryDb  *db,
                           const char       *sql,
                           GError          **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (db->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      confab_history_db_set_error (db, rc, error);
      return NULL;
    }
  g_hash_table_insert (db->statements, (gpointer)sql, stmt);
  return stmt;
}

gboolean
confab_history_db_exec (ConfabHistoryDb  *db,
                        const char       *sql,
                        GError          **error)
{
  return handle_exec (db->handle, db->path, sql, error);
}

/* Writes take the lock up front: a deferred transaction that later needs
 * to write can fail with SQLITE_BUSY without waiting at all. */
gboolean
confab_history_db_begin (ConfabHistoryDb  *db,
                         GError          **error)
{
  return confab_history_db_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
confab_history_db_commit (ConfabHistoryDb  *db,
                          GError          **error)
{
  if (confab_history_db_exec (db, "COMMIT", error))
    return TRUE;
  confab_history_db_rollback (db);
  return FALSE;
}

void
confab_history_db_rollback (ConfabHistoryDb *db)
{
  if (!sqlite3_get_autocommit (db->handle))
    sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}
