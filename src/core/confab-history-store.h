/* confab-history-store.h: every conversation, in one SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-conversation.h"
#include "confab-history-hit.h"

G_BEGIN_DECLS

#define CONFAB_HISTORY_ERROR (confab_history_error_quark ())

/**
 * ConfabHistoryError:
 * @CONFAB_HISTORY_ERROR_FAILED: any other database failure
 * @CONFAB_HISTORY_ERROR_CANNOT_OPEN: the database or its folder cannot be
 *   created or opened (a file where the folder should be, no permission)
 * @CONFAB_HISTORY_ERROR_READ_ONLY: the database cannot be written
 * @CONFAB_HISTORY_ERROR_FULL: the disk is full
 * @CONFAB_HISTORY_ERROR_CORRUPT: the file is damaged or not a database
 * @CONFAB_HISTORY_ERROR_TOO_NEW: a newer Confab wrote the database
 * @CONFAB_HISTORY_ERROR_BUSY: another program held the database too long
 * @CONFAB_HISTORY_ERROR_NOT_FOUND: no conversation has that id
 * @CONFAB_HISTORY_ERROR_INVALID_EXPORT: a file to import is not a valid
 *   Confab history export
 *
 * None of these ever changes or deletes what is stored.
 */
typedef enum
{
  CONFAB_HISTORY_ERROR_FAILED,
  CONFAB_HISTORY_ERROR_CANNOT_OPEN,
  CONFAB_HISTORY_ERROR_READ_ONLY,
  CONFAB_HISTORY_ERROR_FULL,
  CONFAB_HISTORY_ERROR_CORRUPT,
  CONFAB_HISTORY_ERROR_TOO_NEW,
  CONFAB_HISTORY_ERROR_BUSY,
  CONFAB_HISTORY_ERROR_NOT_FOUND,
  CONFAB_HISTORY_ERROR_INVALID_EXPORT,
} ConfabHistoryError;

GQuark confab_history_error_quark (void);

/* The schema version this build writes, kept in PRAGMA user_version. */
#define CONFAB_HISTORY_SCHEMA_VERSION 2

#define CONFAB_TYPE_HISTORY_STORE (confab_history_store_get_type ())

G_DECLARE_FINAL_TYPE (ConfabHistoryStore, confab_history_store, CONFAB, HISTORY_STORE, GObject)

ConfabHistoryStore *confab_history_store_new                      (const char          *path);
const char         *confab_history_store_get_path                 (ConfabHistoryStore  *self);
char               *confab_history_store_dup_default_path         (void);

/* Synchronous: for confab-cli and tests. They block on disk work. */
gboolean            confab_history_store_open                     (ConfabHistoryStore  *self,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
GPtrArray          *confab_history_store_list                     (ConfabHistoryStore  *self,
                                                                   guint                limit,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
ConfabConversation *confab_history_store_load                     (ConfabHistoryStore  *self,
                                                                   const char          *id,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
GPtrArray          *confab_history_store_load_all                 (ConfabHistoryStore  *self,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
gboolean            confab_history_store_save                     (ConfabHistoryStore  *self,
                                                                   ConfabConversation  *conversation,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
gboolean            confab_history_store_update_message           (ConfabHistoryStore  *self,
                                                                   ConfabConversation  *conversation,
                                                                   ConfabMessage       *message,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
gboolean            confab_history_store_rename                   (ConfabHistoryStore  *self,
                                                                   const char          *id,
                                                                   const char          *title,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
gboolean            confab_history_store_delete                   (ConfabHistoryStore  *self,
                                                                   const char          *id,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
GPtrArray          *confab_history_store_search                   (ConfabHistoryStore  *self,
                                                                   const char          *query,
                                                                   guint                limit,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);
gboolean            confab_history_store_import                   (ConfabHistoryStore  *self,
                                                                   GPtrArray           *conversations,
                                                                   guint               *n_imported,
                                                                   guint               *n_skipped,
                                                                   GCancellable        *cancellable,
                                                                   GError             **error);

/* Asynchronous: for the GUI. The work runs on the store's worker thread,
 * in the order it was asked for. */
void                confab_history_store_open_async               (ConfabHistoryStore  *self,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean            confab_history_store_open_finish              (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_list_async               (ConfabHistoryStore  *self,
                                                                   guint                limit,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
GPtrArray          *confab_history_store_list_finish              (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_load_async               (ConfabHistoryStore  *self,
                                                                   const char          *id,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
ConfabConversation *confab_history_store_load_finish              (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_load_all_async           (ConfabHistoryStore  *self,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
GPtrArray          *confab_history_store_load_all_finish          (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_save_async               (ConfabHistoryStore  *self,
                                                                   ConfabConversation  *conversation,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean            confab_history_store_save_finish              (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_update_message_async     (ConfabHistoryStore  *self,
                                                                   ConfabConversation  *conversation,
                                                                   ConfabMessage       *message,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean            confab_history_store_update_message_finish    (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_rename_async             (ConfabHistoryStore  *self,
                                                                   const char          *id,
                                                                   const char          *title,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean            confab_history_store_rename_finish            (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_delete_async             (ConfabHistoryStore  *self,
                                                                   const char          *id,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean            confab_history_store_delete_finish            (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_search_async             (ConfabHistoryStore  *self,
                                                                   const char          *query,
                                                                   guint                limit,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
GPtrArray          *confab_history_store_search_finish            (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
void                confab_history_store_import_async             (ConfabHistoryStore  *self,
                                                                   GPtrArray           *conversations,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
gboolean            confab_history_store_import_finish            (ConfabHistoryStore  *self,
                                                                   GAsyncResult        *result,
                                                                   guint               *n_imported,
                                                                   guint               *n_skipped,
                                                                   GError             **error);

G_END_DECLS
