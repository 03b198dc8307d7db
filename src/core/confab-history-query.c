/* confab-history-query.c: reading and writing conversations and messages
 *
 * Every function here is one transaction: a failure part-way leaves the
 * database as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-history-private.h"

#define CONVERSATION_COLUMNS \
  "id, title, created, updated, account, model, system_prompt, temperature, max_tokens"
#define MESSAGE_COLUMNS \
  "id, role, text, reasoning, state, account, provider, model, input_tokens, " \
  "output_tokens, finish_reason, error_code, error_message, created, ttft, duration"

/* Binding and reading columns */

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Negative numbers mean "unknown" in the model and NULL in the table. */
static void
bind_count (sqlite3_stmt *stmt,
            int           index,
            gint64        value)
{
  if (value >= 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, column));
}

static gint64
column_count (sqlite3_stmt *stmt,
              int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, column);
}

static ConfabConversation *
read_conversation (sqlite3_stmt *stmt)
{
  ConfabHistoryConversationRow row = {
    .id = column_dup (stmt, 0),
    .title = column_dup (stmt, 1),
    .created = sqlite3_column_int64 (stmt, 2),
    .updated = sqlite3_column_int64 (stmt, 3),
    .account_id = column_dup (stmt, 4),
    .model = column_dup (stmt, 5),
    .system_prompt = column_dup (stmt, 6),
    .temperature = sqlite3_column_type (stmt, 7) == SQLITE_NULL
                   ? -1.0 : sqlite3_column_double (stmt, 7),
    .max_tokens = sqlite3_column_int64 (stmt, 8),
  };
  ConfabConversation *conversation = confab_history_conversation_row_to_object (&row);

  g_free (row.id);
  g_free (row.title);
  g_free (row.account_id);
  g_free (row.model);
  g_free (row.system_prompt);
  return conversation;
}

static ConfabMessage *
read_message (sqlite3_stmt *stmt)
{
  g_autoptr(ConfabHistoryMessageRow) row = g_new0 (ConfabHistoryMessageRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  if (!confab_role_from_string ((const char *)sqlite3_column_text (stmt, 1), &row->role))
    row->role = CONFAB_ROLE_USER;
  row->text = column_dup (stmt, 2);
  row->reasoning = column_dup (stmt, 3);
  if (!confab_message_state_from_string ((const char *)sqlite3_column_text (stmt, 4),
                                         &row->state))
    row->state = CONFAB_MESSAGE_INTERRUPTED;
  row->account_id = column_dup (stmt, 5);
  row->provider_id = column_dup (stmt, 6);
  row->model = column_dup (stmt, 7);
  row->input_tokens = column_count (stmt, 8);
  row->output_tokens = column_count (stmt, 9);
  row->finish_reason = column_dup (stmt, 10);
  row->error_code = column_dup (stmt, 11);
  row->error_message = column_dup (stmt, 12);
  row->created = sqlite3_column_int64 (stmt, 13);
  row->ttft = column_count (stmt, 14);
  row->duration = column_count (stmt, 15);
  return confab_history_message_row_to_object (row);
}

/* Runs @stmt to completion, keeping nothing; resets it. */
static gboolean
step_done (ConfabHistoryDb  *db,
           sqlite3_stmt     *stmt,
           GError          **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  return confab_history_db_set_error (db, rc, error);
}

static gboolean
fail (ConfabHistoryDb *db)
{
  confab_history_db_rollback (db);
  return FALSE;
}

static gboolean
not_found (const char  *id,
           GError     **error)
{
  g_set_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND,
               _("No conversation has the id “%s”"), id);
  return FALSE;
}

/* Reading */

static gboolean
collect_conversations (ConfabHistoryDb  *db,
                       sqlite3_stmt     *stmt,
                       GPtrArray        *out,
                       GError          **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read_conversation (stmt));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

/* Metadata only, most recently updated first; @limit 0 means all. */
GPtrArray *
confab_history_db_list (ConfabHistoryDb  *db,
                        guint             limit,
                        GError          **error)
{
  g_autoptr(GPtrArray) conversations = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;

  stmt = confab_history_db_prepare (db, "SELECT " CONVERSATION_COLUMNS " FROM conversations "
                                        "ORDER BY updated DESC, num DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64)limit : -1);
  if (!collect_conversations (db, stmt, conversations, error))
    return NULL;
  return g_steal_pointer (&conversations);
}

static gboolean
load_messages (ConfabHistoryDb     *db,
               ConfabConversation  *conversation,
               GError             **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = confab_history_db_prepare (db, "SELECT " MESSAGE_COLUMNS " FROM messages "
                                        "WHERE conversation = ? ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, confab_conversation_get_id (conversation), -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ConfabMessage) message = read_message (stmt);
      confab_conversation_append (conversation, message);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

static ConfabConversation *
load_one (ConfabHistoryDb  *db,
          const char       *id,
          GError          **error)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = confab_history_db_prepare (db, "SELECT " CONVERSATION_COLUMNS " FROM conversations "
                                        "WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    conversation = read_conversation (stmt);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    confab_history_db_set_error (db, rc, error);
  else if (conversation == NULL)
    not_found (id, error);
  else if (load_messages (db, conversation, error))
    return g_steal_pointer (&conversation);
  return NULL;
}

ConfabConversation *
confab_history_db_load (ConfabHistoryDb  *db,
                        const char       *id,
                        GError          **error)
{
  ConfabConversation *conversation;

  /* One read transaction: a writer in another process cannot slip a
   * half-saved exchange in between the two queries. */
  if (!confab_history_db_exec (db, "BEGIN", error))
    return NULL;
  conversation = load_one (db, id, error);
  confab_history_db_rollback (db);
  return conversation;
}

static gboolean
load_every_message (ConfabHistoryDb  *db,
                    GHashTable       *by_id,
                    GError          **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = confab_history_db_prepare (db, "SELECT " MESSAGE_COLUMNS ", conversation "
                                        "FROM messages ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ConfabConversation *conversation =
        g_hash_table_lookup (by_id, sqlite3_column_text (stmt, 16));
      g_autoptr(ConfabMessage) message = NULL;

      if (conversation == NULL)
        continue;
      message = read_message (stmt);
      confab_conversation_append (conversation, message);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

/* Every conversation with its messages, most recently updated first. */
GPtrArray *
confab_history_db_load_all (ConfabHistoryDb  *db,
                            GError          **error)
{
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok;

  if (!confab_history_db_exec (db, "BEGIN", error))
    return NULL;
  conversations = confab_history_db_list (db, 0, error);
  for (guint i = 0; conversations != NULL && i < conversations->len; i++)
    {
      ConfabConversation *conversation = g_ptr_array_index (conversations, i);
      g_hash_table_insert (by_id, (gpointer)confab_conversation_get_id (conversation),
                           conversation);
    }
  ok = conversations != NULL && load_every_message (db, by_id, error);
  confab_history_db_rollback (db);
  return ok ? g_steal_pointer (&conversations) : NULL;
}

/* Writing */

static gboolean
upsert_conversation (ConfabHistoryDb                     *db,
                     const ConfabHistoryConversationRow  *row,
                     gboolean                             replace,
                     GError                             **error)
{
  sqlite3_stmt *stmt;

  if (replace)
    stmt = confab_history_db_prepare (db,
      "INSERT INTO conversations (" CONVERSATION_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
      "updated = MAX (updated, excluded.updated), account = excluded.account, "
      "model = excluded.model, system_prompt = excluded.system_prompt, "
      "temperature = excluded.temperature, max_tokens = excluded.max_tokens", error);
  else
    stmt = confab_history_db_prepare (db,
      "INSERT INTO conversations (" CONVERSATION_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, row->id);
  bind_text (stmt, 2, row->title ? row->title : "");
  sqlite3_bind_int64 (stmt, 3, row->created);
  sqlite3_bind_int64 (stmt, 4, row->updated);
  bind_text (stmt, 5, row->account_id);
  bind_text (stmt, 6, row->model);
  bind_text (stmt, 7, row->system_prompt);
  if (row->temperature >= 0)
    sqlite3_bind_double (stmt, 8, row->temperature);
  sqlite3_bind_int64 (stmt, 9, MAX (row->max_tokens, 0));
  return step_done (db, stmt, error);
}

/* The fields an update may change, at ?1 … ?14 of both statements. */
static gboolean
bind_message_fields (ConfabHistoryDb                *db,
                     sqlite3_stmt                   *stmt,
                     const ConfabHistoryMessageRow  *row,
                     GError                        **error)
{
  const char *writer = NULL;

  if (row->state == CONFAB_MESSAGE_STREAMING &&
      (writer = confab_history_db_claim_writer (db, error)) == NULL)
    return FALSE;

  bind_text (stmt, 1, row->text ? row->text : "");
  bind_text (stmt, 2, row->reasoning ? row->reasoning : "");
  bind_text (stmt, 3, confab_message_state_to_string (row->state));
  bind_text (stmt, 4, row->account_id);
  bind_text (stmt, 5, row->provider_id);
  bind_text (stmt, 6, row->model);
  bind_count (stmt, 7, row->input_tokens);
  bind_count (stmt, 8, row->output_tokens);
  bind_text (stmt, 9, row->finish_reason);
  bind_text (stmt, 10, row->error_code);
  bind_text (stmt, 11, row->error_message);
  bind_count (stmt, 12, row->ttft);
  bind_count (stmt, 13, row->duration);
  bind_text (stmt, 14, writer);
  return TRUE;
}

static gboolean
insert_message (ConfabHistoryDb          *db,
                const char               *conversation_id,
                ConfabHistoryMessageRow  *row,
                GError                  **error)
{
  sqlite3_stmt *stmt;

  stmt = confab_history_db_prepare (db,
    "INSERT INTO messages (text, reasoning, state, account, provider, model, input_tokens, "
    "output_tokens, finish_reason, error_code, error_message, ttft, duration, writer, "
    "conversation, role, created) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL || !bind_message_fields (db, stmt, row, error))
    return FALSE;
  bind_text (stmt, 15, conversation_id);
  bind_text (stmt, 16, confab_role_to_string (row->role));
  sqlite3_bind_int64 (stmt, 17, row->created);
  if (!step_done (db, stmt, error))
    return FALSE;

  row->id = sqlite3_last_insert_rowid (confab_history_db_get_handle (db));
  return TRUE;
}

/* Whether the row @id is "streaming" now; FALSE when there is none. */
static gboolean
row_is_streaming (ConfabHistoryDb  *db,
                  gint64            id,
                  gboolean         *streaming,
                  GError          **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = confab_history_db_prepare (db, "SELECT state = 'streaming' FROM messages WHERE id = ?",
                                    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  *streaming = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

/* A reply that stops streaming enters the full-text index here, in a
 * statement of its own (see schema_v2 in confab-history-db.c). */
static gboolean
index_finished (ConfabHistoryDb                *db,
                const ConfabHistoryMessageRow  *row,
                GError                        **error)
{
  sqlite3_stmt *stmt;

  stmt = confab_history_db_prepare (db, "INSERT INTO messages_fts (rowid, text) VALUES (?, ?)",
                                    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row->id);
  bind_text (stmt, 2, row->text ? row->text : "");
  return step_done (db, stmt, error);
}

static gboolean
update_message (ConfabHistoryDb                *db,
                const ConfabHistoryMessageRow  *row,
                GError                        **error)
{
  gboolean was_streaming = FALSE;
  sqlite3_stmt *stmt;

  if (row->state != CONFAB_MESSAGE_STREAMING &&
      !row_is_streaming (db, row->id, &was_streaming, error))
    return FALSE;

  stmt = confab_history_db_prepare (db,
    "UPDATE messages SET text = ?, reasoning = ?, state = ?, account = ?, provider = ?, "
    "model = ?, input_tokens = ?, output_tokens = ?, finish_reason = ?, error_code = ?, "
    "error_message = ?, ttft = ?, duration = ?, writer = ? WHERE id = ?", error);
  if (stmt == NULL || !bind_message_fields (db, stmt, row, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 15, row->id);
  if (!step_done (db, stmt, error))
    return FALSE;

  if (sqlite3_changes (confab_history_db_get_handle (db)) == 0)
    {
      g_set_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND,
                   _("The message was deleted from the history while it was being saved"));
      return FALSE;
    }
  return !was_streaming || index_finished (db, row, error);
}

static gboolean
touch_conversation (ConfabHistoryDb  *db,
                    const char       *conversation_id,
                    gint64            updated,
                    GError          **error)
{
  sqlite3_stmt *stmt;

  stmt = confab_history_db_prepare (db, "UPDATE conversations SET updated = MAX (updated, ?) "
                                        "WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, updated);
  bind_text (stmt, 2, conversation_id);
  return step_done (db, stmt, error);
}

/* The conversation's metadata, then its messages: new ones (id 0) are
 * inserted and get their id, the others are updated. */
gboolean
confab_history_db_save (ConfabHistoryDb        *db,
                        ConfabHistorySnapshot  *snapshot,
                        GError                **error)
{
  const char *id = snapshot->conversation->id;

  if (!confab_history_db_begin (db, error))
    return FALSE;
  if (!upsert_conversation (db, snapshot->conversation, TRUE, error))
    return fail (db);

  for (guint i = 0; i < snapshot->messages->len; i++)
    {
      ConfabHistoryMessageRow *row = g_ptr_array_index (snapshot->messages, i);
      gboolean ok = row->id == 0 ? insert_message (db, id, row, error)
                                 : update_message (db, row, error);

      /* The ids of rolled-back inserts are never handed out: the store
       * gives ids to the messages only when this returns TRUE. */
      if (!ok)
        return fail (db);
    }

  return confab_history_db_commit (db, error);
}

/* The message, and the conversation's "updated" time when @updated is
 * later (another program may have written a later one). */
gboolean
confab_history_db_update_message (ConfabHistoryDb                *db,
                                  const char                     *conversation_id,
                                  gint64                          updated,
                                  const ConfabHistoryMessageRow  *row,
                                  GError                        **error)
{
  if (!confab_history_db_begin (db, error))
    return FALSE;
  if (!update_message (db, row, error) ||
      !touch_conversation (db, conversation_id, updated, error))
    return fail (db);
  return confab_history_db_commit (db, error);
}

gboolean
confab_history_db_rename (ConfabHistoryDb  *db,
                          const char       *id,
                          const char       *title,
                          GError          **error)
{
  sqlite3_stmt *stmt;

  if (!confab_history_db_begin (db, error))
    return FALSE;
  stmt = confab_history_db_prepare (db, "UPDATE conversations SET title = ? WHERE id = ?", error);
  if (stmt == NULL)
    return fail (db);
  bind_text (stmt, 1, title);
  bind_text (stmt, 2, id);
  if (!step_done (db, stmt, error))
    return fail (db);
  if (sqlite3_changes (confab_history_db_get_handle (db)) == 0)
    {
      fail (db);
      return not_found (id, error);
    }
  return confab_history_db_commit (db, error);
}

static gboolean
run_with_id (ConfabHistoryDb  *db,
             const char       *sql,
             const char       *id,
             GError          **error)
{
  sqlite3_stmt *stmt = confab_history_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  return step_done (db, stmt, error);
}

gboolean
confab_history_db_delete (ConfabHistoryDb  *db,
                          const char       *id,
                          GError          **error)
{
  if (!confab_history_db_begin (db, error))
    return FALSE;
  if (!run_with_id (db, "DELETE FROM messages WHERE conversation = ?", id, error) ||
      !run_with_id (db, "DELETE FROM conversations WHERE id = ?", id, error))
    return fail (db);
  if (sqlite3_changes (confab_history_db_get_handle (db)) == 0)
    {
      fail (db);
      return not_found (id, error);
    }
  return confab_history_db_commit (db, error);
}

static gboolean
conversation_exists (ConfabHistoryDb  *db,
                     const char       *id,
                     gboolean         *exists,
                     GError          **error)
{
  sqlite3_stmt *stmt = confab_history_db_prepare (db, "SELECT 1 FROM conversations "
                                                      "WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  *exists = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE || confab_history_db_set_error (db, rc, error);
}

static gboolean
import_one (ConfabHistoryDb        *db,
            ConfabHistorySnapshot  *snapshot,
            GError                **error)
{
  if (!upsert_conversation (db, snapshot->conversation, FALSE, error))
    return FALSE;

  for (guint i = 0; i < snapshot->messages->len; i++)
    {
      ConfabHistoryMessageRow *row = g_ptr_array_index (snapshot->messages, i);

      /* Nobody is streaming into an imported reply. */
      if (row->state == CONFAB_MESSAGE_STREAMING)
        row->state = CONFAB_MESSAGE_INTERRUPTED;
      row->id = 0;
      if (!insert_message (db, snapshot->conversation->id, row, error))
        return FALSE;
    }
  return TRUE;
}

/* Adds the conversations whose ids are new, all or none; existing ones
 * are never overwritten, only counted. */
gboolean
confab_history_db_import (ConfabHistoryDb  *db,
                          GPtrArray        *snapshots,
                          guint            *n_imported,
                          guint            *n_skipped,
                          GError          **error)
{
  guint imported = 0;
  guint skipped = 0;

  if (!confab_history_db_begin (db, error))
    return FALSE;

  for (guint i = 0; i < snapshots->len; i++)
    {
      ConfabHistorySnapshot *snapshot = g_ptr_array_index (snapshots, i);
      gboolean exists;

      if (!conversation_exists (db, snapshot->conversation->id, &exists, error))
        return fail (db);
      if (exists)
        skipped++;
      else if (import_one (db, snapshot, error))
        imported++;
      else
        return fail (db);
    }

  if (!confab_history_db_commit (db, error))
    return FALSE;
  if (n_imported != NULL)
    *n_imported = imported;
  if (n_skipped != NULL)
    *n_skipped = skipped;
  return TRUE;
}
