/* confab-conversation-view.h: the messages of one conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-account-store.h"
#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_VIEW (confab_conversation_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationView, confab_conversation_view, CONFAB, CONVERSATION_VIEW, GtkWidget)

GtkWidget          *confab_conversation_view_new                (void);
ConfabConversation *confab_conversation_view_get_conversation   (ConfabConversationView *self);
void                confab_conversation_view_set_conversation   (ConfabConversationView *self,
                                                                 ConfabConversation     *conversation);
ConfabAccountStore *confab_conversation_view_get_account_store  (ConfabConversationView *self);
void                confab_conversation_view_set_account_store  (ConfabConversationView *self,
                                                                 ConfabAccountStore     *store);
gboolean            confab_conversation_view_get_following      (ConfabConversationView *self);
void                confab_conversation_view_scroll_to_bottom   (ConfabConversationView *self);
GtkAdjustment      *confab_conversation_view_get_vadjustment    (ConfabConversationView *self);
void                confab_conversation_view_set_image          (ConfabConversationView *self,
                                                                 const char             *uri,
                                                                 GdkPaintable           *paintable);
void                confab_conversation_view_set_text_scale     (ConfabConversationView *self,
                                                                 double                  text_scale);
void                confab_conversation_view_set_remote_images  (ConfabConversationView *self,
                                                                 gboolean                remote_images);

G_END_DECLS
