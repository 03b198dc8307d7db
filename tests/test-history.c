/* test-history.c: the SQLite history, in process: every field, search in
 * Chinese, export and import, damaged and newer files, migrations, two
 * writers, and the recorder streaming real replies from the mock provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "confab-chat-recorder.h"
#include "confab-history-export.h"
#include "confab-history-private.h"
#include "confab-history-store.h"
#include "confab-keyring.h"
#include "confab-test-env.h"

/* Helpers */

static char *
history_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", "history.db", NULL);
}

static ConfabMessage *
full_message (ConfabRole          role,
              ConfabMessageState  state,
              const char         *text,
              gint64              seed)
{
  ConfabMessage *message = confab_message_new (role, text);
  g_autofree char *reasoning = g_strdup_printf ("推理过程 %" G_GINT64_FORMAT "\n第二行", seed);
  g_autofree char *account = g_strdup_printf ("acc%013" G_GINT64_FORMAT, seed);

  confab_message_set_reasoning (message, reasoning);
  confab_message_set_state (message, state);
  confab_message_set_account_id (message, account);
  confab_message_set_provider_id (message, "deepseek");
  confab_message_set_model (message, "deepseek-reasoner");
  confab_message_set_input_tokens (message, seed * 10 + 1);
  confab_message_set_output_tokens (message, seed * 10 + 2);
  confab_message_set_finish_reason (message, state == CONFAB_MESSAGE_COMPLETE ? "stop" : NULL);
  if (state == CONFAB_MESSAGE_FAILED || state == CONFAB_MESSAGE_INTERRUPTED)
    confab_message_set_error (message, "rate-limit", "请求过于频繁 (HTTP 429)");
  confab_message_set_created (message, G_GINT64_CONSTANT (1735689600123456) + seed);
  confab_message_set_ttft (message, 100 + seed);
  confab_message_set_duration (message, 2000 + seed);
  return message;
}

/* A conversation that sets every field, with a message in each state and
 * one that knows nothing (nulls everywhere). */
static ConfabConversation *
full_conversation (const char *id,
                   const char *title)
{
  ConfabConversation *conversation = confab_conversation_new (id);
  g_autoptr(ConfabMessage) bare = confab_message_new (CONFAB_ROLE_USER, "");

  confab_conversation_set_title (conversation, title);
  confab_conversation_set_created (conversation, G_GINT64_CONSTANT (1735689600000001));
  confab_conversation_set_updated (conversation, G_GINT64_CONSTANT (1735689700000002));
  confab_conversation_set_account_id (conversation, "0123456789abcdef");
  confab_conversation_set_model (conversation, "deepseek-chat");
  confab_conversation_set_system_prompt (conversation, "你是一个乐于助人的助手。\nBe brief.");
  confab_conversation_set_temperature (conversation, 0.7);
  confab_conversation_set_max_tokens (conversation, 321);

  for (ConfabMessageState state = CONFAB_MESSAGE_COMPLETE; state <= CONFAB_MESSAGE_CANCELLED;
       state++)
    {
      g_autoptr(ConfabMessage) user = full_message (CONFAB_ROLE_USER, CONFAB_MESSAGE_COMPLETE,
                                                    "北京烤鸭怎么做？ \"quoted\" \t tab", state * 2);
      g_autoptr(ConfabMessage) reply = full_message (CONFAB_ROLE_ASSISTANT, state,
                                                     "先把鸭子洗干净……\n```\ncode\n```", state * 2 + 1);
      confab_conversation_append (conversation, user);
      confab_conversation_append (conversation, reply);
    }
  confab_message_set_created (bare, 7);
  confab_conversation_append (conversation, bare);
  return conversation;
}

static void
assert_messages_equal (ConfabMessage *a,
                       ConfabMessage *b)
{
  g_assert_cmpint (confab_message_get_role (a), ==, confab_message_get_role (b));
  g_assert_cmpstr (confab_message_get_text (a), ==, confab_message_get_text (b));
  g_assert_cmpstr (confab_message_get_reasoning (a), ==, confab_message_get_reasoning (b));
  g_assert_cmpint (confab_message_get_state (a), ==, confab_message_get_state (b));
  g_assert_cmpstr (confab_message_get_account_id (a), ==, confab_message_get_account_id (b));
  g_assert_cmpstr (confab_message_get_provider_id (a), ==, confab_message_get_provider_id (b));
  g_assert_cmpstr (confab_message_get_model (a), ==, confab_message_get_model (b));
  g_assert_cmpint (confab_message_get_input_tokens (a), ==, confab_message_get_input_tokens (b));
  g_assert_cmpint (confab_message_get_output_tokens (a), ==,
                   confab_message_get_output_tokens (b));
  g_assert_cmpstr (confab_message_get_finish_reason (a), ==,
                   confab_message_get_finish_reason (b));
  g_assert_cmpstr (confab_message_get_error_code (a), ==, confab_message_get_error_code (b));
  g_assert_cmpstr (confab_message_get_error_message (a), ==,
                   confab_message_get_error_message (b));
  g_assert_cmpint (confab_message_get_created (a), ==, confab_message_get_created (b));
  g_assert_cmpint (confab_message_get_ttft (a), ==, confab_message_get_ttft (b));
  g_assert_cmpint (confab_message_get_duration (a), ==, confab_message_get_duration (b));
}

static void
assert_conversations_equal (ConfabConversation *a,
                            ConfabConversation *b,
                            gboolean            same_ids)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (a));

  g_assert_cmpstr (confab_conversation_get_id (a), ==, confab_conversation_get_id (b));
  g_assert_cmpstr (confab_conversation_get_title (a), ==, confab_conversation_get_title (b));
  g_assert_cmpint (confab_conversation_get_created (a), ==, confab_conversation_get_created (b));
  g_assert_cmpint (confab_conversation_get_updated (a), ==, confab_conversation_get_updated (b));
  g_assert_cmpstr (confab_conversation_get_account_id (a), ==,
                   confab_conversation_get_account_id (b));
  g_assert_cmpstr (confab_conversation_get_model (a), ==, confab_conversation_get_model (b));
  g_assert_cmpstr (confab_conversation_get_system_prompt (a), ==,
                   confab_conversation_get_system_prompt (b));
  g_assert_cmpfloat (confab_conversation_get_temperature (a), ==,
                     confab_conversation_get_temperature (b));
  g_assert_cmpint (confab_conversation_get_max_tokens (a), ==,
                   confab_conversation_get_max_tokens (b));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (b)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *ma = confab_conversation_get_message (a, i);
      ConfabMessage *mb = confab_conversation_get_message (b, i);

      assert_messages_equal (ma, mb);
      if (same_ids)
        g_assert_cmpint (confab_message_get_id (ma), ==, confab_message_get_id (mb));
    }
}

/* What closing the store that wrote them does to streaming rows. */
static void
settle (ConfabConversation *conversation)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    {
      ConfabMessage *message = confab_conversation_get_message (conversation, i);

      if (confab_message_get_state (message) == CONFAB_MESSAGE_STREAMING)
        confab_message_set_state (message, CONFAB_MESSAGE_INTERRUPTED);
    }
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
on_async (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static GAsyncResult *
wait_for (Wait *wait)
{
  confab_test_wait_for (&wait->done);
  wait->done = FALSE;
  return wait->result;
}

/* What the database holds, as an export without its "exported" time. */
static char *
dump (ConfabHistoryStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = confab_history_store_load_all (store, NULL, &error);
  g_autoptr(JsonNode) root = NULL;

  g_assert_no_error (error);
  root = confab_history_export_json (all);
  json_object_remove_member (json_node_get_object (root), "exported");
  return json_to_string (root, TRUE);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return contents;
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  /* Some tests look while a recorder writes. */
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* A store just released may still be closing on its worker thread. */
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The full-text index holds every message that is not streaming, and
 * only those (schema version 2). FTS5's integrity-check does not compare
 * an external-content index with its table, so the rows are counted in
 * the index's docsize table, one row per indexed message. */
static void
assert_index_in_step (const char *path)
{
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages m "
                                    "WHERE state IS NOT 'streaming' AND NOT EXISTS "
                                    "(SELECT 1 FROM messages_fts_docsize d WHERE d.id = m.id)"),
                   ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages_fts_docsize d "
                                    "WHERE NOT EXISTS (SELECT 1 FROM messages m "
                                    "WHERE m.id = d.id AND m.state IS NOT 'streaming')"),
                   ==, 0);
  exec_sql (path, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
}

/* Whether the message @id is in the full-text index. */
static gboolean
is_indexed (const char *path,
            gint64      id)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM messages_fts_docsize WHERE id = %" G_GINT64_FORMAT, id);

  return query_int (path, sql) == 1;
}

/* Round trips */

static void
test_round_trip_sync (void)
{
  g_autofree char *path = history_path ();
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(ConfabHistoryStore) reopened = NULL;
  g_autoptr(ConfabConversation) conversation = full_conversation ("00000000000000a1", "烤鸭");
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;
  GStatBuf st;

  g_assert_cmpstr (confab_history_store_get_path (store), ==, path);
  g_assert_true (confab_history_store_save (store, conversation, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    g_assert_cmpint (confab_message_get_id (confab_conversation_get_message (conversation, i)),
                     >, 0);

  /* Private: only the user may read it. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, CONFAB_HISTORY_SCHEMA_VERSION);
  journal = query_text (path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");

  /* Another connection, as another process would have. */
  reopened = confab_history_store_new (path);
  loaded = confab_history_store_load (reopened, "00000000000000a1", NULL, &error);
  g_assert_no_error (error);
  assert_conversations_equal (conversation, loaded, TRUE);

  list = confab_history_store_list (reopened, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (g_ptr_array_index (list, 0)), ==, 0);
  g_assert_cmpstr (confab_conversation_get_system_prompt (g_ptr_array_index (list, 0)), ==,
                   confab_conversation_get_system_prompt (conversation));

  g_assert_null (confab_history_store_load (reopened, "ffffffffffffffff", NULL, &error));
  g_assert_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND);
}

static void
test_update_rename_delete (void)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = full_conversation ("00000000000000b2", "old");
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabMessage) more = confab_message_new (CONFAB_ROLE_USER, "one more");
  ConfabMessage *reply = confab_conversation_get_message (conversation, 1);

  g_assert_true (confab_history_store_save (store, conversation, NULL, &error));

  /* Saving again adds only the new message. */
  confab_conversation_append (conversation, more);
  g_assert_true (confab_history_store_save (store, conversation, NULL, &error));
  confab_message_set_text (reply, "changed 改了");
  confab_message_set_state (reply, CONFAB_MESSAGE_INTERRUPTED);
  confab_message_set_error (reply, "network", "断开");
  g_assert_true (confab_history_store_update_message (store, conversation, reply, NULL, &error));
  g_assert_true (confab_history_store_rename (store, "00000000000000b2", "新标题", NULL, &error));
  g_assert_no_error (error);
  confab_conversation_set_title (conversation, "新标题");

  loaded = confab_history_store_load (store, "00000000000000b2", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_conversation_get_updated (loaded), >=,
                   confab_conversation_get_updated (conversation));
  confab_conversation_set_updated (conversation, confab_conversation_get_updated (loaded));
  assert_conversations_equal (conversation, loaded, TRUE);

  g_assert_false (confab_history_store_rename (store, "0000000000000000", "x", NULL, &error));
  g_assert_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (confab_history_store_delete (store, "00000000000000b2", NULL, &error));
  g_assert_false (confab_history_store_delete (store, "00000000000000b2", NULL, &error));
  g_assert_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = confab_history_store_list (store, 0, NULL, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = confab_history_store_search (store, "改了", 0, NULL, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = confab_history_store_search (store, "changed", 0, NULL, &error);
  g_assert_cmpuint (list->len, ==, 0);
}

/* The GUI's path: every call on the worker thread, in the order asked. */
static void
test_round_trip_async (void)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = full_conversation ("00000000000000c3", "异步");
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *reply;
  Wait wait = { FALSE, NULL };

  confab_history_store_open_async (store, NULL, on_async, &wait);
  g_assert_true (confab_history_store_open_finish (store, wait_for (&wait), &error));
  g_clear_object (&wait.result);

  confab_history_store_save_async (store, conversation, NULL, on_async, &wait);
  g_assert_true (confab_history_store_save_finish (store, wait_for (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  reply = confab_conversation_get_message (conversation, 1);
  g_assert_cmpint (confab_message_get_id (reply), >, 0);

  /* Many writes queued at once land in order: the last one wins. */
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *text = g_strdup_printf ("partial %u", i);
      confab_message_set_text (reply, text);
      confab_history_store_update_message_async (store, conversation, reply, NULL, NULL, NULL);
    }
  confab_history_store_rename_async (store, "00000000000000c3", "改名", NULL, NULL, NULL);
  confab_history_store_load_async (store, "00000000000000c3", NULL, on_async, &wait);
  loaded = confab_history_store_load_finish (store, wait_for (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpstr (confab_message_get_text (confab_conversation_get_message (loaded, 1)), ==,
                   "partial 39");
  g_assert_cmpstr (confab_conversation_get_title (loaded), ==, "改名");

  confab_history_store_search_async (store, "partial", 0, NULL, on_async, &wait);
  list = confab_history_store_search_finish (store, wait_for (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  confab_history_store_delete_async (store, "00000000000000c3", NULL, on_async, &wait);
  g_assert_true (confab_history_store_delete_finish (store, wait_for (&wait), &error));
  g_clear_object (&wait.result);
  confab_history_store_list_async (store, 0, NULL, on_async, &wait);
  list = confab_history_store_list_finish (store, wait_for (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_async_cancelled (void)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { FALSE, NULL };

  g_cancellable_cancel (cancellable);
  confab_history_store_list_async (store, 0, cancellable, on_async, &wait);
  g_assert_null (confab_history_store_list_finish (store, wait_for (&wait), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&wait.result);
}

/* Search */

static void
save_simple (ConfabHistoryStore *store,
             const char         *id,
             const char         *title,
             const char * const *texts)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new (id);
  g_autoptr(GError) error = NULL;

  confab_conversation_set_title (conversation, title);
  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autoptr(ConfabMessage) message =
        confab_message_new (i % 2 ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER, texts[i]);
      confab_conversation_append (conversation, message);
    }
  g_assert_true (confab_history_store_save (store, conversation, NULL, &error));
  g_assert_no_error (error);
}

static GPtrArray *
search (ConfabHistoryStore *store,
        const char         *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = confab_history_store_search (store, query, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static const char *
hit_id (GPtrArray *hits,
        guint      i)
{
  return confab_history_hit_get_conversation_id (g_ptr_array_index (hits, i));
}

static char *
hit_snippet (GPtrArray *hits,
             guint      i)
{
  return confab_history_hit_format_snippet (g_ptr_array_index (hits, i), "[", "]");
}

static void
test_search_chinese (void)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *snippet = NULL;

  save_simple (store, "0000000000000001", "午饭", (const char *[]) {
    "我今天中午吃了北京烤鸭，非常好吃。", "听起来不错！", NULL });
  save_simple (store, "0000000000000002", "Peking duck recipe", (const char *[]) {
    "How do I roast a Peking duck at home?", "Start by drying the skin overnight.", NULL });
  save_simple (store, "0000000000000003", "上海菜", (const char *[]) {
    "上海的小笼包和北京的不一样", "是的，上海小笼包汤汁更多。", NULL });

  /* Four characters: the trigram index. */
  hits = search (store, "北京烤鸭");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (hit_id (hits, 0), ==, "0000000000000001");
  g_assert_cmpstr (confab_history_hit_get_title (g_ptr_array_index (hits, 0)), ==, "午饭");
  snippet = hit_snippet (hits, 0);
  g_assert_nonnull (strstr (snippet, "[北京烤鸭]"));
  g_clear_pointer (&snippet, g_free);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A substring in the middle of a sentence, three characters. */
  hits = search (store, "吃了北");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Two characters: the LIKE scan, highlighted too. */
  hits = search (store, "烤鸭");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (hit_id (hits, 0), ==, "0000000000000001");
  snippet = hit_snippet (hits, 0);
  g_assert_nonnull (strstr (snippet, "[烤鸭]"));
  g_clear_pointer (&snippet, g_free);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* 北京 is in two conversations; the one with more mentions first. */
  hits = search (store, "北京");
  g_assert_cmpuint (hits->len, ==, 2);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "上海");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (hit_id (hits, 0), ==, "0000000000000003");
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Every word must match; case does not matter for English. */
  hits = search (store, "PEKING duck");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (hit_id (hits, 0), ==, "0000000000000002");
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, "peking 上海");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A title match counts, and ranks above a passing mention. */
  hits = search (store, "recipe");
  g_assert_cmpuint (hits->len, ==, 1);
  snippet = hit_snippet (hits, 0);
  g_assert_cmpstr (snippet, ==, "Peking duck [recipe]");
  g_clear_pointer (&snippet, g_free);
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = search (store, "火锅");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
}

/* Query syntax in user input is text, never an error. */
static void
test_search_hostile (void)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  const char *queries[] = { "\"", "a\"b\"c", "NEAR(x y)", "*", "100%", "_", "x' OR 1=1 --",
                            "AND OR NOT", "\\", "\u3000", "  ", "a", NULL };

  save_simple (store, "0000000000000004", "symbols", (const char *[]) {
    "it is 100% done_now \"quoted\" a\"b\"c", NULL });
  for (guint i = 0; queries[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) hits = search (store, queries[i]);
      g_test_message ("query %s: %u hits", queries[i], hits->len);
    }

  {
    g_autoptr(GPtrArray) hits = search (store, "100%");
    g_assert_cmpuint (hits->len, ==, 1);
  }
  {
    g_autoptr(GPtrArray) hits = search (store, "a\"b\"c");
    g_assert_cmpuint (hits->len, ==, 1);
  }
  {
    /* % is not a wildcard: "10%" would match "100% done" as a pattern. */
    g_autoptr(GPtrArray) hits = search (store, "0%d");
    g_assert_cmpuint (hits->len, ==, 0);
  }
}

/* Export and import */

static GPtrArray *
parse_export (const char *json)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *conversations = confab_history_import_parse (json, -1, &error);

  g_assert_no_error (error);
  return conversations;
}

static char *
export_all (ConfabHistoryStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = confab_history_store_load_all (store, NULL, &error);
  g_autoptr(JsonNode) root = NULL;

  g_assert_no_error (error);
  root = confab_history_export_json (all);
  return json_to_string (root, TRUE);
}

static void
test_export_import (void)
{
  g_autofree char *other = g_build_filename (g_get_user_data_dir (), "other.db", NULL);
  g_autoptr(ConfabHistoryStore) writer = confab_history_store_new (NULL);
  g_autoptr(ConfabHistoryStore) store = NULL;
  g_autoptr(ConfabHistoryStore) empty = confab_history_store_new (other);
  g_autoptr(ConfabConversation) first = full_conversation ("00000000000000d4", "第一");
  g_autoptr(ConfabConversation) second = confab_conversation_new ("00000000000000e5");
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) originals = NULL;
  g_autoptr(GPtrArray) copies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint n_imported = 99, n_skipped = 99;

  /* Defaults everywhere: null temperature, no title, no messages. */
  confab_conversation_set_title (second, "");
  g_assert_true (confab_history_store_save (writer, first, NULL, &error));
  g_assert_true (confab_history_store_save (writer, second, NULL, &error));
  g_assert_no_error (error);
  /* A history at rest: nothing streaming any more. */
  g_clear_object (&writer);
  store = confab_history_store_new (NULL);

  json = export_all (store);
  parsed = parse_export (json);
  g_assert_cmpuint (parsed->len, ==, 2);
  g_assert_true (confab_history_store_import (empty, parsed, &n_imported, &n_skipped, NULL,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_imported, ==, 2);
  g_assert_cmpuint (n_skipped, ==, 0);

  originals = confab_history_store_load_all (store, NULL, &error);
  copies = confab_history_store_load_all (empty, NULL, &error);
  g_assert_cmpuint (copies->len, ==, originals->len);
  for (guint i = 0; i < originals->len; i++)
    assert_conversations_equal (g_ptr_array_index (originals, i),
                                g_ptr_array_index (copies, i), FALSE);
  before = dump (store);
  after = dump (empty);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* Again: everything is there already, nothing is overwritten. */
  g_assert_true (confab_history_store_rename (empty, "00000000000000d4", "renamed", NULL, &error));
  g_assert_true (confab_history_store_import (empty, parsed, &n_imported, &n_skipped, NULL,
                                              &error));
  g_assert_cmpuint (n_imported, ==, 0);
  g_assert_cmpuint (n_skipped, ==, 2);
  after = dump (empty);
  g_assert_nonnull (strstr (after, "renamed"));
}

static const char *invalid_exports[] = {
  "",
  "not json at all {",
  "[1, 2, 3]",
  /* Other programs' exports */
  "[{\"title\": \"Chat\", \"mapping\": {}, \"create_time\": 1700000000.5}]",
  "{\"version\": 1, \"conversations\": []}",
  "{\"format\": \"chatbox-exported-data\", \"version\": 1, \"conversations\": []}",
  /* Wrong versions */
  "{\"format\": \"confab-history\", \"version\": 2, \"conversations\": []}",
  "{\"format\": \"confab-history\", \"version\": \"1\", \"conversations\": []}",
  "{\"format\": \"confab-history\", \"version\": 1.5, \"conversations\": []}",
  /* Missing or wrong fields */
  "{\"format\": \"confab-history\", \"version\": 1}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": {}}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\", \"messages\": []}]}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"NOT-AN-ID\","
  " \"title\": \"\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"messages\": []}]}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"\", \"created\": \"yesterday\", \"updated\": \"2025-01-01T00:00:00Z\", \"messages\": []}]}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"temperature\": 9, \"messages\": []}]}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"messages\": [{\"role\": \"user\", \"text\": \"hi\", \"state\": \"weird\","
  " \"created\": \"2025-01-01T00:00:00Z\"}]}]}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"messages\": [{\"role\": \"user\", \"state\": \"complete\", \"created\": \"2025-01-01T00:00:00Z\"}]}]}",
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"messages\": [{\"role\": \"user\", \"text\": \"hi\", \"state\": \"complete\","
  " \"created\": \"2025-01-01T00:00:00Z\", \"input_tokens\": -5}]}]}",
  /* A good conversation, then the same id again */
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"ok\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"messages\": []}, {\"id\": \"00000000000000f6\", \"title\": \"again\","
  " \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\", \"messages\": []}]}",
  /* A good conversation, then a broken one */
  "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [{\"id\": \"00000000000000f6\","
  " \"title\": \"ok\", \"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\","
  " \"messages\": []}, 42]}",
  NULL
};

static void
test_import_invalid (void)
{
  for (guint i = 0; invalid_exports[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) parsed = confab_history_import_parse (invalid_exports[i], -1, &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(accepted)");
      g_assert_null (parsed);
      g_assert_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_INVALID_EXPORT);
      g_assert_true (g_str_has_prefix (error->message, "Not a valid Confab history export"));
    }

  {
    /* Not UTF-8 */
    g_autoptr(GError) error = NULL;
    g_assert_null (confab_history_import_parse ("{\"format\": \"\xff\xfe\"}", -1, &error));
    g_assert_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_INVALID_EXPORT);
  }
}

/* Damaged, foreign and newer files */

static void
assert_open_fails (const char *path,
                   int         code,
                   const char *message_part)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_false (confab_history_store_open (store, NULL, &error));
  g_assert_error (error, CONFAB_HISTORY_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, message_part));
  g_clear_error (&error);

  /* Every other call says the same, and none crashes. */
  list = confab_history_store_list (store, 0, NULL, &error);
  g_assert_null (list);
  g_assert_error (error, CONFAB_HISTORY_ERROR, code);
}

static void
test_corrupt (void)
{
  g_autofree char *path = history_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  GString *garbage = g_string_new (NULL);

  for (guint i = 0; i < 8192; i++)
    g_string_append_c (garbage, (char)(i * 7919 % 251));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage->str, garbage->len, NULL));
  g_string_free (garbage, TRUE);
  before = read_file (path, &before_len);

  assert_open_fails (path, CONFAB_HISTORY_ERROR_CORRUPT, path);

  after = read_file (path, &after_len);
  g_assert_cmpmem (before, before_len, after, after_len);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

/* A SQLite file that is not ours is never touched. */
static void
test_foreign_database (void)
{
  g_autofree char *path = history_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  exec_sql (path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');");

  assert_open_fails (path, CONFAB_HISTORY_ERROR_CORRUPT, "not a Confab history");
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM notes"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_schema"), ==, 1);
}

static void
test_too_new (void)
{
  g_autofree char *path = history_path ();
  g_autoptr(ConfabConversation) conversation = full_conversation ("0000000000000a07", "future");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;

  {
    g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
    g_assert_true (confab_history_store_save (store, conversation, NULL, NULL));
  }
  exec_sql (path, "PRAGMA user_version = 42");
  before = read_file (path, &before_len);

  assert_open_fails (path, CONFAB_HISTORY_ERROR_TOO_NEW, "newer version of Confab");

  after = read_file (path, &after_len);
  g_assert_cmpmem (before, before_len, after, after_len);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, 42);
}

/* A file where the folder should be, a folder where the file should be:
 * errors that root cannot bypass the way it bypasses permissions. */
static void
test_unwritable_location (void)
{
  g_autofree char *blocker = g_build_filename (g_get_user_data_dir (), "blocked", NULL);
  g_autofree char *under_file = g_build_filename (blocker, "confab", "history.db", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "folder.db", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (blocker, "not a folder", -1, NULL));
  assert_open_fails (under_file, CONFAB_HISTORY_ERROR_CANNOT_OPEN, "Cannot create the folder");

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  assert_open_fails (folder, CONFAB_HISTORY_ERROR_CANNOT_OPEN, "it is a folder");
}

/* Migrations */

static void
test_migration (void)
{
  g_autofree char *path = history_path ();
  g_autofree char *backup = g_strdup_printf ("%s.bak-%d", path, CONFAB_HISTORY_SCHEMA_VERSION);
  g_autofree char *too_new = g_strdup_printf ("format %d", CONFAB_HISTORY_SCHEMA_VERSION + 1);
  g_autoptr(ConfabConversation) conversation = full_conversation ("0000000000000b08", "迁移");
  /* This version's steps, then one more. */
  const char *good[CONFAB_HISTORY_SCHEMA_VERSION + 1];
  const char *bad[CONFAB_HISTORY_SCHEMA_VERSION + 1];
  g_autoptr(GError) error = NULL;
  g_autofree char *integrity = NULL;
  sqlite3 *db = NULL;

  for (guint i = 0; i < CONFAB_HISTORY_SCHEMA_VERSION; i++)
    good[i] = bad[i] = "-- already there";
  good[CONFAB_HISTORY_SCHEMA_VERSION] =
    "ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0";
  bad[CONFAB_HISTORY_SCHEMA_VERSION] = "ALTER TABLE nowhere ADD COLUMN x";

  {
    g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
    g_assert_true (confab_history_store_save (store, conversation, NULL, &error));
  }
  settle (conversation);

  /* A failing step changes nothing: still this version, with its data. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_false (confab_history_db_migrate (db, path, bad, G_N_ELEMENTS (bad), &error));
  g_assert_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, CONFAB_HISTORY_SCHEMA_VERSION);
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (backup), ==, 0);

  /* A good one copies the file first, then upgrades it. */
  g_assert_true (confab_history_db_migrate (db, path, good, G_N_ELEMENTS (good), &error));
  g_assert_no_error (error);
  sqlite3_close (db);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==,
                   CONFAB_HISTORY_SCHEMA_VERSION + 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM conversations WHERE pinned = 0"), ==, 1);
  g_assert_cmpint (query_int (backup, "PRAGMA user_version"), ==,
                   CONFAB_HISTORY_SCHEMA_VERSION);
  integrity = query_text (backup, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");

  /* The backup is a whole history this version can read… */
  {
    g_autoptr(ConfabHistoryStore) store = confab_history_store_new (backup);
    g_autoptr(ConfabConversation) loaded =
      confab_history_store_load (store, "0000000000000b08", NULL, &error);
    g_assert_no_error (error);
    assert_conversations_equal (conversation, loaded, TRUE);
  }
  /* …and the upgraded file is too new for it. */
  assert_open_fails (path, CONFAB_HISTORY_ERROR_TOO_NEW, too_new);
}

/* Version 1 indexed a reply at every flush while it streamed; version 2
 * indexes it once it ends. The upgrade takes streaming rows out of the
 * index, and the next start-up repair puts the one whose writer is gone
 * back in as interrupted. */
static void
test_migration_v2 (void)
{
  g_autofree char *path = history_path ();
  g_autofree char *backup = g_strconcat (path, ".bak-1", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *state = NULL;
  g_autoptr(ConfabHistoryStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *migrations;
  guint n_migrations;
  sqlite3 *db = NULL;

  migrations = confab_history_db_get_migrations (&n_migrations);
  g_assert_cmpuint (n_migrations, ==, 2);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_true (confab_history_db_migrate (db, path, migrations, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db,
    "INSERT INTO conversations (id, title, created, updated) "
    "  VALUES ('0000000000000d01', '', 1, 1);"
    "INSERT INTO messages (id, conversation, role, text, state, created, writer) VALUES "
    "  (1, '0000000000000d01', 'user', '怎么做北京烤鸭', 'complete', 1, NULL),"
    "  (2, '0000000000000d01', 'assistant', '先把鸭子洗干净，再挂炉烤', 'streaming', 2,"
    "   'deadbeefdeadbeef');"
    "UPDATE messages SET text = text || '四十分钟' WHERE id = 2;",
    NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages_fts_docsize"), ==, 2);

  g_assert_true (confab_history_db_migrate (db, path, migrations, n_migrations, &error));
  g_assert_no_error (error);
  sqlite3_close (db);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (query_int (backup, "PRAGMA user_version"), ==, 1);
  g_assert_true (is_indexed (path, 1));
  g_assert_false (is_indexed (path, 2));
  exec_sql (path, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");

  /* Opening repairs the reply of the dead writer, which search finds. */
  store = confab_history_store_new (NULL);
  hits = confab_history_store_search (store, "挂炉烤四十分钟", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  /* The snippet is the reply's. */
  g_assert_nonnull (strstr (confab_history_hit_get_snippet (g_ptr_array_index (hits, 0)),
                            "鸭子洗干净"));
  state = query_text (path, "SELECT state FROM messages WHERE id = 2");
  g_assert_cmpstr (state, ==, "interrupted");
  assert_index_in_step (path);
}

/* Two writers */

typedef struct
{
  char  *path;
  guint  base;
} Writer;

static gpointer
write_many (gpointer data)
{
  Writer *writer = data;
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (writer->path);

  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *id = g_strdup_printf ("%016x", writer->base + i);
      g_autoptr(ConfabConversation) conversation = confab_conversation_new (id);
      g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "并发写入");
      g_autoptr(ConfabMessage) reply = confab_message_new (CONFAB_ROLE_ASSISTANT, "ok");
      g_autoptr(GError) error = NULL;

      confab_conversation_append (conversation, user);
      confab_conversation_append (conversation, reply);
      if (!confab_history_store_save (store, conversation, NULL, &error))
        return g_strdup (error->message);
      confab_message_set_text (reply, "ok, done");
      if (!confab_history_store_update_message (store, conversation, reply, NULL, &error))
        return g_strdup (error->message);
    }
  return NULL;
}

static void
test_two_writers (void)
{
  g_autofree char *path = history_path ();
  Writer a = { path, 0x1000 }, b = { path, 0x2000 };
  GThread *ta, *tb;
  g_autofree char *error_a = NULL;
  g_autofree char *error_b = NULL;

  {
    /* Both create the schema at once otherwise; that is tested too, by
     * the CLI test. Here: the writes. */
    g_autoptr(ConfabHistoryStore) store = confab_history_store_new (path);
    g_assert_true (confab_history_store_open (store, NULL, NULL));
  }

  ta = g_thread_new ("writer-a", write_many, &a);
  tb = g_thread_new ("writer-b", write_many, &b);
  error_a = g_thread_join (ta);
  error_b = g_thread_join (tb);
  g_assert_null (error_a);
  g_assert_null (error_b);

  g_assert_cmpint (query_int (path, "SELECT count(*) FROM conversations"), ==, 300);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages WHERE text = 'ok, done'"),
                   ==, 300);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages_fts "
                                    "WHERE messages_fts MATCH '\"并发写\"'"), ==, 300);
}

static guint
count_locks (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    n++;
  return n;
}

/* Start-up recovery: only rows whose writer is gone become interrupted. */
static void
test_recovery (void)
{
  g_autofree char *path = history_path ();
  g_autofree char *writers = g_strconcat (path, "-writers", NULL);
  g_autofree char *stale = g_build_filename (writers, "0123456789abcdef.lock", NULL);
  g_autoptr(ConfabHistoryStore) live = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = confab_conversation_new ("0000000000000c09");
  g_autoptr(ConfabMessage) streaming = confab_message_new (CONFAB_ROLE_ASSISTANT, "half");
  g_autoptr(ConfabConversation) loaded = NULL;
  g_autoptr(GError) error = NULL;

  confab_message_set_state (streaming, CONFAB_MESSAGE_STREAMING);
  confab_conversation_append (conversation, streaming);
  g_assert_true (confab_history_store_save (live, conversation, NULL, &error));
  g_assert_no_error (error);

  /* Rows from a process that died (its lock is free) and from before
   * locks existed (no writer). */
  exec_sql (path, "INSERT INTO messages (conversation, role, text, state, created, writer) "
                  "VALUES ('0000000000000c09', 'assistant', 'dead', 'streaming', 1, "
                  "'deadbeefdeadbeef'), ('0000000000000c09', 'assistant', 'old', 'streaming', 2, "
                  "NULL)");
  /* A process that died with its replies complete left its lock file. */
  g_assert_true (g_file_set_contents (stale, "", 0, NULL));
  g_assert_cmpuint (count_locks (writers), ==, 2);

  {
    g_autoptr(ConfabHistoryStore) next = confab_history_store_new (NULL);
    loaded = confab_history_store_load (next, "0000000000000c09", NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, 3);
  g_assert_cmpint (confab_message_get_state (confab_conversation_get_message (loaded, 0)), ==,
                   CONFAB_MESSAGE_STREAMING);
  g_assert_cmpint (confab_message_get_state (confab_conversation_get_message (loaded, 1)), ==,
                   CONFAB_MESSAGE_INTERRUPTED);
  g_assert_cmpint (confab_message_get_state (confab_conversation_get_message (loaded, 2)), ==,
                   CONFAB_MESSAGE_INTERRUPTED);
  g_clear_object (&loaded);
  /* The repaired rows are in the full-text index, the live one is not. */
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages m "
                                    "JOIN messages_fts_docsize d ON d.id = m.id "
                                    "WHERE m.text IN ('dead', 'old', 'half')"), ==, 2);
  g_assert_false (is_indexed (path, confab_message_get_id (streaming)));
  /* Only the live writer's lock is left. */
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_locks (writers), ==, 1);

  /* A store that closes with a row still streaming lets go of it. */
  g_clear_object (&live);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages WHERE state = 'streaming'"),
                   ==, 0);
  g_assert_true (is_indexed (path, confab_message_get_id (streaming)));
  assert_index_in_step (path);
  g_assert_cmpuint (count_locks (writers), ==, 0);
}

/* The recorder, streaming from the mock provider */

typedef struct
{
  ConfabTestEnv      *env;
  ConfabAccount      *account;
  ConfabHistoryStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;

  fixture->env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  base = g_strconcat (fixture->env->mock_url, "/v1", NULL);
  fixture->account = confab_account_new (NULL, "Mock", "custom");
  confab_account_set_base_url (fixture->account, base);
  confab_keyring_store_sync (confab_account_get_id (fixture->account), CONFAB_SECRET_API_KEY,
                             "Mock", CONFAB_TEST_KEY, NULL, &error);
  g_assert_no_error (error);
  fixture->store = confab_history_store_new (data);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_strdup (confab_history_store_get_path (fixture->store));

  g_clear_object (&fixture->store);
  /* Whatever the reply's end, the index has it (not when the history
   * could not be written at all). */
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    assert_index_in_step (path);
  g_clear_object (&fixture->account);
  g_clear_pointer (&fixture->env, confab_test_env_free);
}

typedef struct
{
  gboolean      done;
  gboolean      ok;
  GError       *error;
  GCancellable *cancel_on_text;
} Recording;

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Recording *recording = user_data;

  recording->ok = confab_chat_recorder_run_finish (CONFAB_CHAT_RECORDER (source), result,
                                                   &recording->error);
  recording->done = TRUE;
}

static void
on_first_text (ConfabChatStream *stream,
               const char       *text,
               Recording        *recording)
{
  if (recording->cancel_on_text != NULL)
    g_cancellable_cancel (recording->cancel_on_text);
}

static ConfabChatStream *
new_stream (Fixture            *fixture,
            ConfabConversation *conversation,
            const char         *model)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new_for_account (fixture->account, NULL);
  g_autoptr(ConfabChatRequest) request =
    confab_chat_request_new_for_conversation (conversation, model,
                                              g_list_model_get_n_items (G_LIST_MODEL (conversation)));
  ConfabChatStream *stream = confab_chat_stream_new (fixture->account, provider, request);

  confab_chat_stream_set_max_retries (stream, 0);
  return stream;
}

/* Sends @prompt as a new conversation; returns it as saved. */
static ConfabConversation *
record (Fixture      *fixture,
        const char   *model,
        const char   *prompt,
        Recording    *recording)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new (NULL);
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, prompt);
  g_autoptr(ConfabChatRecorder) recorder = NULL;
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(ConfabHistoryStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  ConfabConversation *loaded;

  confab_conversation_append (conversation, user);
  recorder = confab_chat_recorder_new (fixture->store, conversation);
  stream = new_stream (fixture, conversation, model);
  g_signal_connect (stream, "text", G_CALLBACK (on_first_text), recording);
  confab_chat_recorder_run_async (recorder, stream, recording->cancel_on_text, on_recorded,
                                  recording);
  confab_test_wait_for (&recording->done);

  reader = confab_history_store_new (confab_history_store_get_path (fixture->store));
  loaded = confab_history_store_load (reader, confab_conversation_get_id (conversation), NULL,
                                      &error);
  g_assert_no_error (error);
  /* What is on disk is what the recorder holds in memory. */
  assert_conversations_equal (conversation, loaded, TRUE);
  return loaded;
}

static ConfabMessage *
reply_of (ConfabConversation *conversation)
{
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 2);
  return confab_conversation_get_message (conversation, 1);
}

static void
test_recorder_complete (Fixture       *fixture,
                        gconstpointer  data)
{
  Recording recording = { 0 };
  g_autoptr(ConfabConversation) saved =
    record (fixture, "reasoning", "第一行标题\n第二行不是标题", &recording);
  ConfabMessage *reply = reply_of (saved);

  g_assert_no_error (recording.error);
  g_assert_true (recording.ok);
  g_assert_cmpstr (confab_conversation_get_title (saved), ==, "第一行标题");
  g_assert_cmpint (confab_message_get_state (reply), ==, CONFAB_MESSAGE_COMPLETE);
  g_assert_cmpstr (confab_message_get_text (reply), ==, "第一行标题\n第二行不是标题");
  g_assert_true (g_str_has_prefix (confab_message_get_reasoning (reply), "Thinking"));
  g_assert_cmpstr (confab_message_get_account_id (reply), ==,
                   confab_account_get_id (fixture->account));
  g_assert_cmpstr (confab_message_get_provider_id (reply), ==, "custom");
  g_assert_cmpstr (confab_message_get_model (reply), ==, "reasoning");
  g_assert_cmpstr (confab_message_get_finish_reason (reply), ==, "stop");
  g_assert_cmpint (confab_message_get_input_tokens (reply), >, 0);
  g_assert_cmpint (confab_message_get_output_tokens (reply), >, 0);
  g_assert_cmpint (confab_message_get_ttft (reply), >=, 0);
  g_assert_cmpint (confab_message_get_duration (reply), >=, confab_message_get_ttft (reply));
  g_assert_null (confab_message_get_error_code (reply));
}

static void
test_recorder_failed (Fixture       *fixture,
                      gconstpointer  data)
{
  Recording recording = { 0 };
  g_autoptr(ConfabConversation) saved = record (fixture, "error-401", "hello", &recording);
  ConfabMessage *reply = reply_of (saved);

  g_assert_false (recording.ok);
  g_assert_error (recording.error, CONFAB_ERROR, CONFAB_ERROR_AUTH);
  g_assert_cmpint (confab_message_get_state (reply), ==, CONFAB_MESSAGE_FAILED);
  g_assert_cmpstr (confab_message_get_text (reply), ==, "");
  g_assert_cmpstr (confab_message_get_error_code (reply), ==, "auth");
  g_assert_cmpstr (confab_message_get_error_message (reply), ==, recording.error->message);
  g_assert_null (strstr (confab_message_get_error_message (reply), CONFAB_TEST_KEY));
  g_clear_error (&recording.error);
}

static void
test_recorder_interrupted (Fixture       *fixture,
                           gconstpointer  data)
{
  Recording recording = { 0 };
  g_autoptr(ConfabConversation) saved =
    record (fixture, "drop", "a reply that the server cuts off", &recording);
  ConfabMessage *reply = reply_of (saved);

  g_assert_error (recording.error, CONFAB_ERROR, CONFAB_ERROR_NETWORK);
  g_assert_cmpint (confab_message_get_state (reply), ==, CONFAB_MESSAGE_INTERRUPTED);
  g_assert_true (g_str_has_prefix (confab_message_get_text (reply), "a r"));
  g_assert_cmpstr (confab_message_get_error_code (reply), ==, "network");
  g_clear_error (&recording.error);
}

static void
test_recorder_cancelled (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Recording recording = { FALSE, FALSE, NULL, cancellable };
  g_autoptr(ConfabConversation) saved =
    record (fixture, "slow", "stop me after the first word please", &recording);
  ConfabMessage *reply = reply_of (saved);

  g_assert_error (recording.error, CONFAB_ERROR, CONFAB_ERROR_CANCELLED);
  g_assert_cmpint (confab_message_get_state (reply), ==, CONFAB_MESSAGE_CANCELLED);
  g_assert_true (g_str_has_prefix (confab_message_get_text (reply), "stop"));
  g_assert_null (strstr (confab_message_get_text (reply), "please"));
  g_clear_error (&recording.error);
}

/* While a reply streams, another connection sees its text grow and its
 * state "streaming". */
static void
test_recorder_flushes (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new (NULL);
  g_autoptr(ConfabMessage) user = NULL;
  g_autoptr(ConfabChatRecorder) recorder = NULL;
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(ConfabHistoryStore) reader = confab_history_store_new (NULL);
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autofree char *path = history_path ();
  ConfabMessage *recorded;
  Recording recording = { 0 };
  gsize length, last_length = 0;
  guint n_partial_texts = 0;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (prompt, "word%u ", i);
  user = confab_message_new (CONFAB_ROLE_USER, prompt->str);
  confab_conversation_append (conversation, user);
  recorder = confab_chat_recorder_new (fixture->store, conversation);
  stream = new_stream (fixture, conversation, "slow-50");
  confab_chat_recorder_run_async (recorder, stream, NULL, on_recorded, &recording);

  while (!recording.done)
    {
      g_autoptr(ConfabConversation) seen = NULL;
      g_autoptr(GError) error = NULL;
      ConfabMessage *reply;

      g_main_context_iteration (NULL, TRUE);
      if (confab_chat_recorder_get_reply (recorder) == NULL ||
          confab_message_get_id (confab_chat_recorder_get_reply (recorder)) == 0 ||
          recording.done)
        continue;
      seen = confab_history_store_load (reader, confab_conversation_get_id (conversation), NULL,
                                        &error);
      g_assert_no_error (error);
      reply = confab_conversation_get_message (seen, 1);
      if (confab_message_get_state (reply) != CONFAB_MESSAGE_STREAMING)
        continue;
      /* What is on disk is a prefix of what has arrived, not yet in the
       * full-text index (one query: the reply may end meanwhile). */
      g_assert_true (g_str_has_prefix (prompt->str, confab_message_get_text (reply)));
      g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages m "
                                        "JOIN messages_fts_docsize d ON d.id = m.id "
                                        "WHERE m.state = 'streaming'"), ==, 0);
      length = strlen (confab_message_get_text (reply));
      if (length > 0 && length < prompt->len && length != last_length)
        n_partial_texts++;
      last_length = length;
    }

  g_assert_true (recording.ok);
  /* 40 words at 50 ms take 2 s: with a flush every half second, at least
   * two different partial texts were on disk before the end. */
  g_assert_cmpuint (n_partial_texts, >=, 2);
  /* Once complete, the reply is in the index. */
  recorded = confab_chat_recorder_get_reply (recorder);
  g_assert_true (is_indexed (path, confab_message_get_id (recorded)));
}

/* When the history cannot be written, nothing is sent. */
static void
test_recorder_unwritable (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(ConfabConversation) conversation = confab_conversation_new (NULL);
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "never sent");
  g_autoptr(ConfabChatRecorder) recorder = NULL;
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  Recording recording = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (confab_history_store_get_path (fixture->store), 0700),
                   ==, 0);
  confab_conversation_append (conversation, user);
  recorder = confab_chat_recorder_new (fixture->store, conversation);
  stream = new_stream (fixture, conversation, "echo");
  confab_chat_recorder_run_async (recorder, stream, NULL, on_recorded, &recording);
  confab_test_wait_for (&recording.done);

  g_assert_false (recording.ok);
  g_assert_error (recording.error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_CANNOT_OPEN);
  g_assert_false (confab_chat_recorder_get_saved (recorder));
  requests = confab_test_env_read_requests (fixture->env);
  g_assert_cmpuint (requests->len, ==, 0);
  /* The prompt is still there to send again. */
  g_assert_cmpstr (confab_message_get_text (confab_conversation_get_message (conversation, 0)),
                   ==, "never sent");
  g_clear_error (&recording.error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/history/round-trip/sync", test_round_trip_sync);
  g_test_add_func ("/history/round-trip/async", test_round_trip_async);
  g_test_add_func ("/history/round-trip/update-rename-delete", test_update_rename_delete);
  g_test_add_func ("/history/async/cancelled", test_async_cancelled);
  g_test_add_func ("/history/search/chinese", test_search_chinese);
  g_test_add_func ("/history/search/hostile", test_search_hostile);
  g_test_add_func ("/history/export-import/round-trip", test_export_import);
  g_test_add_func ("/history/export-import/invalid", test_import_invalid);
  g_test_add_func ("/history/errors/corrupt", test_corrupt);
  g_test_add_func ("/history/errors/foreign-database", test_foreign_database);
  g_test_add_func ("/history/errors/too-new", test_too_new);
  g_test_add_func ("/history/errors/unwritable-location", test_unwritable_location);
  g_test_add_func ("/history/migration", test_migration);
  g_test_add_func ("/history/migration/v2-index", test_migration_v2);
  g_test_add_func ("/history/concurrency/two-writers", test_two_writers);
  g_test_add_func ("/history/recovery", test_recovery);

  g_test_add ("/history/recorder/complete", Fixture, NULL, fixture_set_up,
              test_recorder_complete, fixture_tear_down);
  g_test_add ("/history/recorder/failed", Fixture, NULL, fixture_set_up,
              test_recorder_failed, fixture_tear_down);
  g_test_add ("/history/recorder/interrupted", Fixture, NULL, fixture_set_up,
              test_recorder_interrupted, fixture_tear_down);
  g_test_add ("/history/recorder/cancelled", Fixture, NULL, fixture_set_up,
              test_recorder_cancelled, fixture_tear_down);
  g_test_add ("/history/recorder/flushes", Fixture, NULL, fixture_set_up,
              test_recorder_flushes, fixture_tear_down);
  g_test_add ("/history/recorder/unwritable", Fixture, NULL, fixture_set_up,
              test_recorder_unwritable, fixture_tear_down);

  return g_test_run ();
}
