/* confab-message-row.h: one message of the conversation view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-account-store.h"
#include "confab-message.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ROW (confab_message_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageRow, confab_message_row, CONFAB, MESSAGE_ROW, GtkWidget)

GtkWidget          *confab_message_row_new               (void);
ConfabMessage      *confab_message_row_get_message       (ConfabMessageRow   *self);
void                confab_message_row_set_message       (ConfabMessageRow   *self,
                                                          ConfabMessage      *message);
ConfabAccountStore *confab_message_row_get_account_store (ConfabMessageRow   *self);
void                confab_message_row_set_account_store (ConfabMessageRow   *self,
                                                          ConfabAccountStore *store);
void                confab_message_row_set_text_scale    (ConfabMessageRow   *self,
                                                          double              text_scale);
void                confab_message_row_set_remote_images (ConfabMessageRow   *self,
                                                          gboolean            remote_images);
void                confab_message_row_flush             (ConfabMessageRow   *self);
void                confab_message_row_set_lazy          (ConfabMessageRow   *self,
                                                          gboolean            lazy);
gboolean            confab_message_row_get_content_pending (ConfabMessageRow *self);
void                confab_message_row_ensure_content    (ConfabMessageRow   *self);
GtkWidget          *confab_message_row_get_body          (ConfabMessageRow   *self);
char               *confab_message_row_dup_metrics_text  (ConfabMessage      *message);
char               *confab_message_row_dup_origin_text   (ConfabMessage      *message,
                                                          ConfabAccountStore *store);

G_END_DECLS
