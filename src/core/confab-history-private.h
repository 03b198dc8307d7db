/* confab-history-private.h: what the confab-history-*.c files share
 *
 * ConfabHistoryDb is one SQLite connection and everything done with it.
 * It is not thread-safe: ConfabHistoryStore makes sure one thread at a
 * time uses it. The rows are plain copies of ConfabConversation and
 * ConfabMessage, taken on the thread that owns those objects, so that
 * the worker thread never touches a GObject another thread is changing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "confab-history-store.h"

G_BEGIN_DECLS

typedef struct
{
  char   *id;
  char   *title;
  gint64  created;
  gint64  updated;
  char   *account_id;
  char   *model;
  char   *system_prompt;
  double  temperature;
  gint64  max_tokens;
} ConfabHistoryConversationRow;

typedef struct
{
  gint64              id;
  ConfabRole          role;
  char               *text;
  char               *reasoning;
  ConfabMessageState  state;
  char               *account_id;
  char               *provider_id;
  char               *model;
  gint64              input_tokens;
  gint64              output_tokens;
  char               *finish_reason;
  char               *error_code;
  char               *error_message;
  gint64              created;
  gint64              ttft;
  gint64              duration;
} ConfabHistoryMessageRow;

/* A conversation's metadata and some of its messages. */
typedef struct
{
  ConfabHistoryConversationRow *conversation;
  GPtrArray                    *messages;
} ConfabHistorySnapshot;

ConfabHistoryConversationRow *confab_history_conversation_row_new     (ConfabConversation            *conversation);
void                          confab_history_conversation_row_free    (ConfabHistoryConversationRow  *row);
ConfabConversation           *confab_history_conversation_row_to_object (const ConfabHistoryConversationRow *row);
ConfabHistoryMessageRow      *confab_history_message_row_new          (ConfabMessage                 *message);
void                          confab_history_message_row_free         (ConfabHistoryMessageRow       *row);
ConfabMessage                *confab_history_message_row_to_object    (const ConfabHistoryMessageRow *row);
ConfabHistorySnapshot        *confab_history_snapshot_new             (ConfabConversation            *conversation,
                                                                       gboolean                       only_unsaved);
void                          confab_history_snapshot_free            (ConfabHistorySnapshot         *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabHistoryConversationRow, confab_history_conversation_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabHistoryMessageRow, confab_history_message_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabHistorySnapshot, confab_history_snapshot_free)

typedef struct _ConfabHistoryDb ConfabHistoryDb;

ConfabHistoryDb    *confab_history_db_open            (const char                     *path,
                                                       GError                        **error);
void                confab_history_db_close           (ConfabHistoryDb                *db);
sqlite3            *confab_history_db_get_handle      (ConfabHistoryDb                *db);
gboolean            confab_history_db_set_error       (ConfabHistoryDb                *db,
                                                       int                             rc,
                                                       GError                        **error);
sqlite3_stmt       *confab_history_db_prepare         (ConfabHistoryDb                *db,
                                                       const char                     *sql,
                                                       GError                        **error);
gboolean            confab_history_db_exec            (ConfabHistoryDb                *db,
                                                       const char                     *sql,
                                                       GError                        **error);
gboolean            confab_history_db_begin           (ConfabHistoryDb                *db,
                                                       GError                        **error);
gboolean            confab_history_db_commit          (ConfabHistoryDb                *db,
                                                       GError                        **error);
void                confab_history_db_rollback        (ConfabHistoryDb                *db);
const char         *confab_history_db_claim_writer    (ConfabHistoryDb                *db,
                                                       GError                        **error);
gboolean            confab_history_db_migrate         (sqlite3                        *handle,
                                                       const char                     *path,
                                                       const char * const             *migrations,
                                                       guint                           n_migrations,
                                                       GError                        **error);
const char * const *confab_history_db_get_migrations  (guint                          *n_migrations);
GError             *confab_history_error_from_sqlite  (sqlite3                        *handle,
                                                       int                             rc,
                                                       const char                     *path);

/* confab-history-query.c: each runs in its own transaction. */
GPtrArray          *confab_history_db_list            (ConfabHistoryDb                *db,
                                                       guint                           limit,
                                                       GError                        **error);
ConfabConversation *confab_history_db_load            (ConfabHistoryDb                *db,
                                                       const char                     *id,
                                                       GError                        **error);
GPtrArray          *confab_history_db_load_all        (ConfabHistoryDb                *db,
                                                       GError                        **error);
gboolean            confab_history_db_save            (ConfabHistoryDb                *db,
                                                       ConfabHistorySnapshot          *snapshot,
                                                       GError                        **error);
gboolean            confab_history_db_update_message  (ConfabHistoryDb                *db,
                                                       const char                     *conversation_id,
                                                       gint64                          updated,
                                                       const ConfabHistoryMessageRow  *row,
                                                       GError                        **error);
gboolean            confab_history_db_rename          (ConfabHistoryDb                *db,
                                                       const char                     *id,
                                                       const char                     *title,
                                                       GError                        **error);
gboolean            confab_history_db_delete          (ConfabHistoryDb                *db,
                                                       const char                     *id,
                                                       GError                        **error);
gboolean            confab_history_db_import          (ConfabHistoryDb                *db,
                                                       GPtrArray                      *snapshots,
                                                       guint                          *n_imported,
                                                       guint                          *n_skipped,
                                                       GError                        **error);

/* confab-history-search.c */
GPtrArray          *confab_history_db_search          (ConfabHistoryDb                *db,
                                                       const char                     *query,
                                                       guint                           limit,
                                                       GError                        **error);

G_END_DECLS
