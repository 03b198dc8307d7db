/* confab-window-private.h: what the confab-window-*.c files share
 *
 * confab-window.c builds the window, the sidebar and the welcome page;
 * confab-window-chat.c sends messages and handles what is done to them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-chat-runner.h"
#include "confab-composer.h"
#include "confab-conversation-settings.h"
#include "confab-conversation-view.h"
#include "confab-model-selector.h"
#include "confab-window.h"

G_BEGIN_DECLS

struct _ConfabWindow
{
  AdwApplicationWindow        parent_instance;

  /* Template widgets */
  ConfabComposer             *composer;
  GtkListView                *conversation_list;
  ConfabConversationSettings *conversation_settings;
  ConfabConversationView     *conversation_view;
  AdwLeaflet                 *leaflet;
  GtkStack                   *main_stack;
  ConfabModelSelector        *model_selector;
  GtkButton                  *ollama_button;
  GtkSearchEntry             *search_entry;
  GtkBox                     *sidebar;
  GtkScrolledWindow          *sidebar_scroller;
  GtkStack                   *sidebar_stack;
  AdwToastOverlay            *toast_overlay;

  /* Owned references */
  GSettings                  *settings;
  ConfabAccountStore         *accounts;
  ConfabModelCache           *models;
  ConfabHistoryStore         *history;
  GListStore                 *conversations;
  /* The part of conversations the sidebar shows: it grows as the user
   * scrolls down */
  GtkSliceListModel          *sidebar_slice;
  GListStore                 *hits;
  GtkSingleSelection         *sidebar_selection;
  ConfabConversation         *current;
  /* conversation id → the ConfabChatRunner streaming its reply */
  GHashTable                 *runners;
  /* ids of conversations being written again after messages were removed */
  GHashTable                 *rewriting;
  /* PendingDelete: conversations deleted while "Undo" is offered */
  GPtrArray                  *pending_deletes;
  /* ids of conversations deleted in the sidebar that the database may
   * still hold (Undo offered, or being deleted): a refresh leaves them out */
  GHashTable                 *deleting;
  ConfabAccount              *ollama_account;
  GCancellable               *cancellable;
  GCancellable               *search_cancellable;
  GCancellable               *load_cancellable;

  guint                       refresh_id;
  guint                       grow_sidebar_id;
  guint                       refreshing : 1;
  /* The sidebar's selection is being set to match, not chosen */
  guint                       selecting : 1;
};

void     _confab_window_chat_class_init        (GtkWidgetClass     *widget_class);
void     _confab_window_chat_dispose           (ConfabWindow       *self);
void     _confab_window_show_conversation      (ConfabWindow       *self,
                                                ConfabConversation *conversation);
void     _confab_window_refresh_list           (ConfabWindow       *self);
void     _confab_window_toast                  (ConfabWindow       *self,
                                                const char         *title);
void     _confab_window_update_actions         (ConfabWindow       *self);
gboolean _confab_window_on_composer_send       (ConfabWindow       *self,
                                                const char         *text);
void     _confab_window_on_message_action      (ConfabWindow       *self,
                                                ConfabMessage      *message,
                                                const char         *name,
                                                const char         *parameter);
void     _confab_window_save_conversation      (ConfabWindow       *self,
                                                ConfabConversation *conversation);
ConfabChatRunner *_confab_window_get_runner    (ConfabWindow       *self,
                                                ConfabConversation *conversation);
void     _confab_window_load_image             (ConfabWindow       *self,
                                                const char         *uri);
gboolean _confab_window_is_busy                (ConfabWindow       *self,
                                                ConfabConversation *conversation);

G_END_DECLS
