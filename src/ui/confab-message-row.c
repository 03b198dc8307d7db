/* confab-message-row.c
 *
 * A row follows its ConfabMessage while it streams: a spinner until the
 * first token, the "Thinking" section open while reasoning arrives and
 * closed once the answer starts, then the reply, and under it who answered
 * and how fast. Failures stay in the row with the provider's own words and
 * the ways out (Retry, Retry with another account, Edit Account); partial
 * text stays visible. Text from the model is only ever set as plain text.
 *
 * Rows are recycled by the list view, so everything is derived from the
 * message in one place and redone on every bind.
 *
 * A lazy row (the conversation view's) leaves a finished message
 * unrendered when it is bound, and holds its place with a height (the one
 * it had when last shown at that width, else an estimate) until the view
 * asks for it (confab_message_row_ensure_content) as it comes near the
 * screen. Until then its content is not measured, allocated or drawn.
 * GTK 4.8's GtkListView binds some 200 rows around the visible ones and,
 * while scrolling, rebinds dozens of them a frame (the band of bound rows
 * follows where the anchor row sits on screen); laying them out made
 * opening a long conversation seven times slower than a short one and
 * scrolling it slow (docs/PERFORMANCE.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "confab-error.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-util.h"
#include "confab-widget-util.h"

#define MIN_RATE_SPAN_MS 100
/* The estimate of a reply's height before it is rendered: lines of about
 * this many bytes, this many pixels high. Only where the scrollbar sits
 * depends on it. */
#define ESTIMATE_LINE_BYTES 90
#define ESTIMATE_LINE_HEIGHT 22
#define ESTIMATE_MAX_HEIGHT 20000
/* What a row adds around its text: who answered, the figures, the
 * buttons; the user's bubble. */
#define ESTIMATE_REPLY_EXTRA 84
#define ESTIMATE_QUESTION_EXTRA 64
/* The content's width, as AdwClamp's (maximum-size, tightening-threshold)
 * would give it. */
#define CLAMP_MAXIMUM 860
#define CLAMP_THRESHOLD 560

struct _ConfabMessageRow
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkBox             *actions_box;
  GtkBox             *body_box;
  GtkBox             *bubble;
  GtkWidget          *content;
  GtkButton          *copy_button;
  GtkButton          *delete_button;
  GtkButton          *edit_button;
  GtkLabel           *metrics_label;
  GtkLabel           *origin_label;
  GtkButton          *regenerate_button;

  /* Made when a message first needs them, then kept for the messages
   * the recycled row shows next. */
  GtkExpander        *thinking_expander;
  GtkLabel           *reasoning_label;
  GtkWidget          *waiting_box;
  GtkSpinner         *spinner;
  GtkLabel           *status_label;
  GtkWidget          *error_box;
  GtkLabel           *error_title;
  GtkLabel           *error_label;
  GtkBox             *error_actions;
  GtkWidget          *retry_button;
  GtkMenuButton      *retry_with_button;
  GtkWidget          *edit_account_button;
  /* The user's text is shown as typed; replies are markdown. */
  GtkLabel           *text_label;
  ConfabMarkdownView *markdown;

  /* Owned references */
  ConfabMessage      *message;
  ConfabAccountStore *store;
  GSignalGroup       *message_signals;
  GSignalGroup       *store_signals;

  double              text_scale;
  gboolean            remote_images;
  guint               tick_id;
  guint               lazy : 1;
  /* Bound but not rendered: the content is hidden and the row's height
   * is pending_height_for()'s. */
  guint               content_pending : 1;
  int                 pending_height;
  /* The width of the row's last allocation */
  int                 allocated_width;
  guint               has_tooltips : 1;
  /* The Thinking section opens and closes by itself only until the user
   * touches it. */
  guint               thinking_auto : 1;
  guint               thinking_changing : 1;
};

G_DEFINE_FINAL_TYPE (ConfabMessageRow, confab_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ACCOUNT_STORE,
  PROP_MESSAGE,
  PROP_REMOTE_IMAGES,
  PROP_TEXT_SCALE,
  N_PROPS
};

enum {
  ACTION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static ConfabErrorCode
message_error_code (ConfabMessage *message)
{
  ConfabErrorCode code = CONFAB_ERROR_PROTOCOL;

  if (!confab_error_code_from_string (confab_message_get_error_code (message), &code))
    return CONFAB_ERROR_PROTOCOL;
  return code;
}

static const char *
error_title_for_code (ConfabErrorCode code)
{
  switch (code)
    {
    case CONFAB_ERROR_AUTH:
      return _("The provider did not accept the API key");
    case CONFAB_ERROR_REGION:
      return _("This provider is not available in your region");
    case CONFAB_ERROR_RATE_LIMIT:
      return _("Too many requests: the provider asks to slow down");
    case CONFAB_ERROR_QUOTA:
      return _("The account has run out of quota or credit");
    case CONFAB_ERROR_BAD_REQUEST:
      return _("The provider refused the request");
    case CONFAB_ERROR_NOT_FOUND:
      return _("The model or address was not found");
    case CONFAB_ERROR_SERVER:
      return _("The provider had a server error");
    case CONFAB_ERROR_NETWORK:
      return _("Could not reach the provider");
    case CONFAB_ERROR_TLS:
      return _("The secure connection failed");
    case CONFAB_ERROR_TIMEOUT:
      return _("The provider did not answer in time");
    case CONFAB_ERROR_PROTOCOL:
      return _("The reply could not be read");
    case CONFAB_ERROR_CANCELLED:
      return _("Stopped");
    case CONFAB_ERROR_KEYRING:
      return _("The keyring is locked or unavailable");
    default:
      return _("The request failed");
    }
}

/**
 * confab_message_row_dup_origin_text:
 *
 * Who answered: "account · model".
 *
 * Returns: (nullable): the text, or %NULL for messages without an origin
 */
char *
confab_message_row_dup_origin_text (ConfabMessage      *message,
                                    ConfabAccountStore *store)
{
  const char *account_id = confab_message_get_account_id (message);
  const char *model = confab_message_get_model (message);
  ConfabAccount *account = NULL;
  const char *who;

  if (store != NULL)
    account = confab_account_store_lookup_by_id (store, account_id);
  who = account != NULL ? confab_account_get_name (account) : confab_message_get_provider_id (message);

  if (who != NULL && model != NULL)
    return g_strdup_printf ("%s · %s", who, model);
  if (who != NULL || model != NULL)
    return g_strdup (who != NULL ? who : model);
  return NULL;
}

/**
 * confab_message_row_dup_metrics_text:
 *
 * What is shown under a finished reply: model, input/output tokens, time
 * to first token and tokens per second, leaving out what is unknown.
 *
 * Returns: (nullable): the text
 */
char *
confab_message_row_dup_metrics_text (ConfabMessage *message)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  gint64 input = confab_message_get_input_tokens (message);
  gint64 output = confab_message_get_output_tokens (message);
  gint64 ttft = confab_message_get_ttft (message);
  gint64 duration = confab_message_get_duration (message);

  if (confab_message_get_model (message) != NULL)
    g_ptr_array_add (parts, g_strdup (confab_message_get_model (message)));
  if (input >= 0 || output >= 0)
    {
      g_autofree char *in = input >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, input) : g_strdup ("?");
      g_autofree char *out = output >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, output) : g_strdup ("?");

      /* Translators: token counts of a reply: sent (input) and received (output) */
      g_ptr_array_add (parts, g_strdup_printf (_("%s in, %s out tokens"), in, out));
    }
  if (ttft >= 0)
    /* Translators: time to the first token of a reply, in seconds */
    g_ptr_array_add (parts, g_strdup_printf (_("%.2f s to first token"), ttft / 1000.0));
  /* Over a few milliseconds the rate is noise (a local server that sends
   * everything at once), not a speed. */
  if (output > 0 && ttft >= 0 && duration - ttft >= MIN_RATE_SPAN_MS)
    g_ptr_array_add (parts, g_strdup_printf (_("%.1f tokens/s"),
                                             output / ((duration - ttft) / 1000.0)));

  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **)parts->pdata);
}

static gboolean
message_is_assistant (ConfabMessage *message)
{
  return message != NULL && confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT;
}

static gboolean
message_is_streaming (ConfabMessage *message)
{
  return message != NULL && confab_message_get_state (message) == CONFAB_MESSAGE_STREAMING;
}

static void
emit_action (ConfabMessageRow *self,
             const char       *name,
             const char       *parameter)
{
  if (self->message != NULL)
    g_signal_emit (self, signals[ACTION], 0, name, parameter);
}

/* Parts made on demand. The bubble's order: origin, Thinking, progress,
 * body, status, error, metrics. */

static void
insert_part (ConfabMessageRow *self,
             GtkWidget        *part,
             GtkWidget        *after)
{
  gtk_box_insert_child_after (self->bubble, part, after);
}

static GtkWidget *
last_of (GtkWidget *first,
         GtkWidget *second)
{
  return second != NULL ? second : first;
}

static void
on_thinking_expanded (ConfabMessageRow *self)
{
  if (!self->thinking_changing)
    self->thinking_auto = FALSE;
}

static void
ensure_thinking (ConfabMessageRow *self)
{
  GtkWidget *label;

  if (self->thinking_expander != NULL)
    return;

  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_add_css_class (label, "reasoning");
  gtk_widget_add_css_class (label, "dim-label");
  self->reasoning_label = GTK_LABEL (label);

  self->thinking_expander = GTK_EXPANDER (gtk_expander_new (_("Thinking")));
  gtk_expander_set_child (self->thinking_expander, label);
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_expander), "thinking");
  g_signal_connect_object (self->thinking_expander, "notify::expanded",
                           G_CALLBACK (on_thinking_expanded), self, G_CONNECT_SWAPPED);
  insert_part (self, GTK_WIDGET (self->thinking_expander), GTK_WIDGET (self->origin_label));
}

static void
ensure_waiting (ConfabMessageRow *self)
{
  GtkWidget *label;

  if (self->waiting_box != NULL)
    return;

  self->waiting_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Waiting for the reply"), -1);
  label = gtk_label_new (_("Waiting for the reply…"));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (self->waiting_box), GTK_WIDGET (self->spinner));
  gtk_box_append (GTK_BOX (self->waiting_box), label);
  insert_part (self, self->waiting_box,
               last_of (GTK_WIDGET (self->origin_label), GTK_WIDGET (self->thinking_expander)));
}

static void
ensure_status (ConfabMessageRow *self)
{
  if (self->status_label != NULL)
    return;

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  insert_part (self, GTK_WIDGET (self->status_label), GTK_WIDGET (self->body_box));
}

static void
on_error_button_clicked (GtkButton        *button,
                         ConfabMessageRow *self)
{
  if (GTK_WIDGET (button) == self->retry_button)
    emit_action (self, "retry", NULL);
  else
    emit_action (self, "edit-account", confab_message_get_account_id (self->message));
}

static GtkWidget *
error_button (ConfabMessageRow *self,
              const char       *label)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  g_signal_connect_object (button, "clicked", G_CALLBACK (on_error_button_clicked), self, 0);
  gtk_box_append (self->error_actions, button);
  return button;
}

static void
ensure_error (ConfabMessageRow *self)
{
  if (self->error_box != NULL)
    return;

  self->error_title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_title, 0);
  gtk_label_set_wrap (self->error_title, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_title), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->error_title), "error");

  /* The provider's own words: plain text. */
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->error_label, TRUE);

  self->error_actions = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));
  self->retry_button = error_button (self, _("Retry"));
  self->retry_with_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_label (self->retry_with_button, _("Retry with"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->retry_with_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Retry with"), -1);
  gtk_box_append (self->error_actions, GTK_WIDGET (self->retry_with_button));
  self->edit_account_button = error_button (self, _("Edit Account"));

  self->error_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->error_box, "message-error");
  gtk_box_append (GTK_BOX (self->error_box), GTK_WIDGET (self->error_title));
  gtk_box_append (GTK_BOX (self->error_box), GTK_WIDGET (self->error_label));
  gtk_box_append (GTK_BOX (self->error_box), GTK_WIDGET (self->error_actions));
  insert_part (self, self->error_box,
               last_of (GTK_WIDGET (self->body_box), GTK_WIDGET (self->status_label)));
}

static void
on_open_link (ConfabMessageRow *self,
              const char       *uri)
{
  emit_action (self, "open-link", uri);
}

static void
on_load_image (ConfabMessageRow *self,
               const char       *uri)
{
  emit_action (self, "load-image", uri);
}

static void
ensure_markdown (ConfabMessageRow *self)
{
  if (self->markdown != NULL)
    return;

  self->markdown = CONFAB_MARKDOWN_VIEW (confab_markdown_view_new ());
  confab_markdown_view_set_text_scale (self->markdown, self->text_scale);
  confab_markdown_view_set_remote_images (self->markdown, self->remote_images);
  g_signal_connect_object (self->markdown, "open-link", G_CALLBACK (on_open_link), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->markdown, "load-image", G_CALLBACK (on_load_image), self, G_CONNECT_SWAPPED);
  gtk_box_append (self->body_box, GTK_WIDGET (self->markdown));
}

static void
ensure_text_label (ConfabMessageRow *self)
{
  GtkWidget *label;

  if (self->text_label != NULL)
    return;

  /* Plain text, never Pango markup. */
  label = gtk_label_new (NULL);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "message-text");
  self->text_label = GTK_LABEL (label);
  gtk_box_prepend (self->body_box, label);
}

static void
hide (gpointer widget)
{
  if (widget != NULL)
    gtk_widget_set_visible (GTK_WIDGET (widget), FALSE);
}

/* Showing the message */

static void
set_thinking_expanded (ConfabMessageRow *self,
                       gboolean          expanded)
{
  self->thinking_changing = TRUE;
  gtk_expander_set_expanded (self->thinking_expander, expanded);
  self->thinking_changing = FALSE;
}

/* The markdown view re-renders only the open end of a text that grew. */
static void
flush_text (ConfabMessageRow *self)
{
  const char *text = self->message != NULL ? confab_message_get_text (self->message) : "";
  gboolean assistant = message_is_assistant (self->message);

  if (assistant)
    {
      ensure_markdown (self);
      confab_markdown_view_set_text (self->markdown, text);
      confab_markdown_view_flush (self->markdown);
      gtk_widget_set_visible (GTK_WIDGET (self->markdown), *text != '\0');
      hide (self->text_label);
    }
  else
    {
      ensure_text_label (self);
      gtk_label_set_text (self->text_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->text_label), *text != '\0');
      hide (self->markdown);
    }
}

static void
flush_reasoning (ConfabMessageRow *self)
{
  const char *reasoning = self->message != NULL ? confab_message_get_reasoning (self->message) : "";
  const char *text = self->message != NULL ? confab_message_get_text (self->message) : "";

  if (reasoning == NULL || *reasoning == '\0')
    {
      hide (self->thinking_expander);
      return;
    }

  ensure_thinking (self);
  gtk_label_set_text (self->reasoning_label, reasoning);
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), TRUE);

  /* Open while the model thinks, closed once the answer starts. */
  if (self->thinking_auto)
    set_thinking_expanded (self, message_is_streaming (self->message) && *text == '\0');
}

static void
update_waiting (ConfabMessageRow *self)
{
  gboolean waiting = message_is_streaming (self->message) &&
                     *confab_message_get_text (self->message) == '\0' &&
                     *confab_message_get_reasoning (self->message) == '\0';

  if (!waiting && self->waiting_box == NULL)
    return;
  ensure_waiting (self);
  gtk_widget_set_visible (self->waiting_box, waiting);
  gtk_spinner_set_spinning (self->spinner, waiting);
}

/* Streams can deliver hundreds of deltas a second; lay out at most once a
 * frame. */
static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  self->tick_id = 0;
  confab_message_row_flush (self);
  return G_SOURCE_REMOVE;
}

static void
queue_flush (ConfabMessageRow *self)
{
  if (self->tick_id != 0)
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      confab_message_row_flush (self);
      return;
    }
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), flush_tick_cb, NULL, NULL);
}

static void
update_retry_menu (ConfabMessageRow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  const char *own_id = confab_message_get_account_id (self->message);
  guint n = self->store != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->store)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAccount) account = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      const ConfabProviderInfo *info = confab_account_get_provider_info (account);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (g_strcmp0 (confab_account_get_id (account), own_id) == 0)
        continue;
      label = g_strdup_printf ("%s (%s)", confab_account_get_name (account),
                               info != NULL ? confab_provider_info_get_display_name (info)
                                            : confab_account_get_provider_id (account));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "row.retry-with",
                                               g_variant_new_string (confab_account_get_id (account)));
      g_menu_append_item (menu, item);
    }

  gtk_menu_button_set_menu_model (self->retry_with_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->retry_with_button),
                          g_menu_model_get_n_items (G_MENU_MODEL (menu)) > 0);
}

/* For failures that belong to the account (a region block, a rejected
 * key, no quota, rate limits), another account is the likeliest way out,
 * so it is offered first. */
static void
order_error_actions (ConfabMessageRow *self,
                     gboolean          others_first)
{
  GtkWidget *first = others_first ? GTK_WIDGET (self->retry_with_button) : self->retry_button;
  GtkWidget *second = others_first ? self->retry_button : GTK_WIDGET (self->retry_with_button);

  gtk_box_reorder_child_after (self->error_actions, first, NULL);
  gtk_widget_add_css_class (first, "suggested-action");
  gtk_widget_remove_css_class (second, "suggested-action");
}

static void
update_error (ConfabMessageRow *self)
{
  ConfabMessageState state = confab_message_get_state (self->message);
  const char *code_string = confab_message_get_error_code (self->message);
  const char *text = confab_message_get_error_message (self->message);
  ConfabErrorCode code;

  if (code_string == NULL || (state != CONFAB_MESSAGE_FAILED && state != CONFAB_MESSAGE_INTERRUPTED))
    {
      hide (self->error_box);
      return;
    }

  ensure_error (self);
  code = message_error_code (self->message);
  /* ConfabChatRecorder's own code: the history could not be written, so
   * nothing was sent. */
  if (g_str_equal (code_string, "history"))
    gtk_label_set_text (self->error_title, _("The conversation could not be saved, so it was not sent"));
  else
    gtk_label_set_text (self->error_title, error_title_for_code (code));
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), !confab_str_is_blank (text));
  update_retry_menu (self);
  order_error_actions (self, code == CONFAB_ERROR_REGION || code == CONFAB_ERROR_AUTH ||
                             code == CONFAB_ERROR_QUOTA || code == CONFAB_ERROR_RATE_LIMIT);
  gtk_widget_set_visible (self->edit_account_button, confab_message_get_account_id (self->message) != NULL);
  gtk_widget_set_visible (self->error_box, TRUE);
}

static void
update_status (ConfabMessageRow *self)
{
  ConfabMessageState state = confab_message_get_state (self->message);
  const char *status = NULL;

  if (state == CONFAB_MESSAGE_INTERRUPTED)
    status = _("Interrupted: this reply is incomplete.");
  else if (state == CONFAB_MESSAGE_CANCELLED)
    status = *confab_message_get_text (self->message) != '\0'
             ? _("Stopped: this reply is incomplete.") : _("Stopped before the reply started.");

  if (status == NULL)
    {
      hide (self->status_label);
      return;
    }
  ensure_status (self);
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
}

static void
update_metrics (ConfabMessageRow *self)
{
  g_autofree char *metrics = NULL;

  if (message_is_assistant (self->message) &&
      confab_message_get_state (self->message) == CONFAB_MESSAGE_COMPLETE)
    metrics = confab_message_row_dup_metrics_text (self->message);

  gtk_label_set_text (self->metrics_label, metrics != NULL ? metrics : "");
  gtk_widget_set_visible (GTK_WIDGET (self->metrics_label), metrics != NULL);
}

static void
update_origin (ConfabMessageRow *self)
{
  g_autofree char *origin = NULL;

  if (message_is_assistant (self->message))
    origin = confab_message_row_dup_origin_text (self->message, self->store);

  gtk_label_set_text (self->origin_label, origin != NULL ? origin : "");
  gtk_widget_set_visible (GTK_WIDGET (self->origin_label), origin != NULL);
  update_metrics (self);
}

static void
update_actions (ConfabMessageRow *self)
{
  gboolean assistant = message_is_assistant (self->message);
  gboolean streaming = message_is_streaming (self->message);
  gboolean has_text = self->message != NULL && *confab_message_get_text (self->message) != '\0';

  gtk_widget_set_visible (GTK_WIDGET (self->actions_box), self->message != NULL && !streaming);
  gtk_widget_set_visible (GTK_WIDGET (self->regenerate_button), assistant);
  gtk_widget_set_visible (GTK_WIDGET (self->edit_button), !assistant);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.copy", has_text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.regenerate", assistant && !streaming);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.edit", !assistant && !streaming);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.delete", !streaming);
}

static void
update_state (ConfabMessageRow *self)
{
  if (self->message == NULL)
    return;
  update_waiting (self);
  update_status (self);
  update_error (self);
  update_metrics (self);
  update_actions (self);
  flush_reasoning (self);
}

static void
update_role (ConfabMessageRow *self)
{
  gboolean assistant = message_is_assistant (self->message);
  GtkWidget *widget = GTK_WIDGET (self);

  if (assistant)
    {
      gtk_widget_remove_css_class (widget, "user");
      gtk_widget_add_css_class (widget, "assistant");
    }
  else
    {
      gtk_widget_remove_css_class (widget, "assistant");
      gtk_widget_add_css_class (widget, "user");
    }
  gtk_widget_set_halign (GTK_WIDGET (self->bubble), assistant ? GTK_ALIGN_FILL : GTK_ALIGN_END);
  gtk_widget_set_halign (GTK_WIDGET (self->actions_box), assistant ? GTK_ALIGN_START : GTK_ALIGN_END);
}

/* Setting a tooltip costs more than the rest of the row's template (GTK
 * 4.8 updates the accessible description too): a lazy row sets its
 * buttons' tooltips only when the pointer or the keyboard focus first
 * comes to it. Their accessible names are in the template. */
static void
ensure_tooltips (ConfabMessageRow *self)
{
  if (self->has_tooltips)
    return;
  self->has_tooltips = TRUE;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button), _("Copy as Markdown"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->regenerate_button), _("Regenerate"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->edit_button), _("Edit and Resend"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->delete_button), _("Delete Message"));
}

/* A rough height from the text's length and lines. */
static int
estimate_text_height (const char *text)
{
  guint lines = 1;
  gsize run = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n' || ++run == ESTIMATE_LINE_BYTES)
        {
          lines++;
          run = 0;
        }
      if (lines * ESTIMATE_LINE_HEIGHT >= ESTIMATE_MAX_HEIGHT)
        break;
    }
  return MIN (lines * ESTIMATE_LINE_HEIGHT, ESTIMATE_MAX_HEIGHT);
}

/* Who answered, the state, the buttons: all but the text */
static void
show_message (ConfabMessageRow *self)
{
  if (self->message == NULL)
    return;
  update_role (self);
  update_origin (self);
  update_state (self);
}

/* The height a row showing @message had at @width, remembered on the
 * message (the widget is recycled) so that a row bound again holds
 * exactly its place. */
typedef struct
{
  int width;
  int height;
} ShownHeight;

static GQuark
shown_height_quark (void)
{
  return g_quark_from_static_string ("confab-message-row-shown-height");
}

static void
remember_height (ConfabMessageRow *self,
                 int               width,
                 int               height)
{
  ShownHeight *shown = g_object_get_qdata (G_OBJECT (self->message), shown_height_quark ());

  if (shown == NULL)
    {
      shown = g_new (ShownHeight, 1);
      g_object_set_qdata_full (G_OBJECT (self->message), shown_height_quark (), shown, g_free);
    }
  shown->width = width;
  shown->height = height;
}

/* The height of the unrendered row at @width (-1: any) */
static int
pending_height_for (ConfabMessageRow *self,
                    int               width)
{
  ShownHeight *shown = g_object_get_qdata (G_OBJECT (self->message), shown_height_quark ());

  if (shown != NULL && (width < 0 || width == shown->width))
    return shown->height;
  return self->pending_height;
}

/* Drops what the previous message showed, so that rows off screen, and
 * rows kept for reuse after a conversation was closed, cost little memory. */
static void
drop_content (ConfabMessageRow *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  if (self->markdown != NULL)
    {
      confab_markdown_view_set_text (self->markdown, "");
      gtk_widget_set_visible (GTK_WIDGET (self->markdown), FALSE);
    }
  if (self->text_label != NULL)
    {
      gtk_label_set_text (self->text_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->text_label), FALSE);
    }
  if (self->reasoning_label != NULL)
    gtk_label_set_text (self->reasoning_label, "");
}

/* The message is rendered when the conversation view asks for it; until
 * then the row only holds its place. */
static void
defer_content (ConfabMessageRow *self)
{
  const char *text = confab_message_get_text (self->message);

  drop_content (self);
  self->content_pending = TRUE;
  self->pending_height = (*text != '\0' ? estimate_text_height (text) : 0) +
                         (message_is_assistant (self->message) ? ESTIMATE_REPLY_EXTRA
                                                               : ESTIMATE_QUESTION_EXTRA);
  gtk_widget_set_visible (self->content, FALSE);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
end_pending (ConfabMessageRow *self)
{
  if (!self->content_pending)
    return;
  self->content_pending = FALSE;
  gtk_widget_set_visible (self->content, TRUE);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  show_message (self);
}

static void
on_text_changed (ConfabMessageRow *self)
{
  update_waiting (self);
  if (self->thinking_auto && self->thinking_expander != NULL &&
      gtk_expander_get_expanded (self->thinking_expander))
    flush_reasoning (self);
  update_actions (self);
  queue_flush (self);
}

static void
on_reasoning_changed (ConfabMessageRow *self)
{
  update_waiting (self);
  queue_flush (self);
}

static void
row_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  const char *name = action_name + strlen ("row.");

  emit_action (self, name, parameter != NULL ? g_variant_get_string (parameter, NULL) : NULL);
}

static void
edit_account_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  emit_action (self, "edit-account", confab_message_get_account_id (self->message));
}

/* Size: the row clamps its content's width as an AdwClamp does, easing
 * from the threshold to the maximum, but never measures the content's
 * width for a height. AdwClamp passes that question on, a vertical box
 * asks each child, and a wrapping GtkLabel answers it by laying its text
 * out at about ten widths (GTK 4.8): most of the cost of showing a row. */

static int
content_width_for (ConfabMessageRow *self,
                   int               width)
{
  double lower, max, upper, progress;
  int min, nat;

  gtk_widget_measure (self->content, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  lower = MAX (MIN (CLAMP_THRESHOLD, CLAMP_MAXIMUM), min);
  max = MAX (lower, CLAMP_MAXIMUM);
  /* An ease-out cubic curve leaves the threshold three times as steep. */
  upper = lower + 3 * (max - lower);

  if (width < 0)
    return MIN (nat, (int) ceil (max));
  if (width <= lower)
    return width;
  if (width >= upper)
    return (int) ceil (max);
  progress = (width - lower) / (upper - lower);
  return (int) floor (lower + (max - lower) * (1 - pow (1 - progress, 3)));
}

static GtkSizeRequestMode
confab_message_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
confab_message_row_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);

  if (self->content_pending && orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 0;
      *natural = CLAMP_MAXIMUM;
    }
  else if (self->content_pending)
    {
      *minimum = *natural = pending_height_for (self, for_size);
    }
  else if (orientation == GTK_ORIENTATION_HORIZONTAL)
    gtk_widget_measure (self->content, orientation, -1, minimum, natural, NULL, NULL);
  else
    {
      /* The height for no width in particular: GTK 4.8's window asks it
       * of every row of the list when anything in it changes size, then
       * throws the answer away (the list scrolls). The width the list
       * gives the row costs no new text layout: the list's allocation
       * asks the same. */
      if (for_size < 0 && self->allocated_width > 0)
        for_size = self->allocated_width;
      gtk_widget_measure (self->content, orientation, content_width_for (self, for_size),
                          minimum, natural, NULL, NULL);
    }
}

static void
confab_message_row_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (widget);
  int content_width;

  self->allocated_width = width;
  if (self->content_pending)
    return;
  if (self->message != NULL && self->lazy)
    remember_height (self, width, height);
  content_width = MIN (content_width_for (self, width), width);
  gtk_widget_size_allocate (self->content,
                            &(GtkAllocation) { (width - content_width) / 2, 0, content_width, height },
                            -1);
}

static void
confab_message_row_dispose (GObject *object)
{
  ConfabMessageRow *self = (ConfabMessageRow *)object;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_signal_group_set_target (self->message_signals, NULL);
  g_signal_group_set_target (self->store_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MESSAGE_ROW);
  /* Template children without an id are not disposed with it. */
  confab_widget_unparent_children (GTK_WIDGET (self));
  g_clear_object (&self->message);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_message_row_parent_class)->dispose (object);
}

static void
confab_message_row_finalize (GObject *object)
{
  ConfabMessageRow *self = (ConfabMessageRow *)object;

  g_clear_object (&self->message_signals);
  g_clear_object (&self->store_signals);

  G_OBJECT_CLASS (confab_message_row_parent_class)->finalize (object);
}

static void
confab_message_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;
    case PROP_REMOTE_IMAGES:
      g_value_set_boolean (value, self->remote_images);
      break;
    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_STORE:
      confab_message_row_set_account_store (self, g_value_get_object (value));
      break;
    case PROP_MESSAGE:
      confab_message_row_set_message (self, g_value_get_object (value));
      break;
    case PROP_REMOTE_IMAGES:
      confab_message_row_set_remote_images (self, g_value_get_boolean (value));
      break;
    case PROP_TEXT_SCALE:
      confab_message_row_set_text_scale (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_class_init (ConfabMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_row_dispose;
  object_class->finalize = confab_message_row_finalize;
  object_class->get_property = confab_message_row_get_property;
  object_class->set_property = confab_message_row_set_property;
  widget_class->get_request_mode = confab_message_row_get_request_mode;
  widget_class->measure = confab_message_row_measure;
  widget_class->size_allocate = confab_message_row_size_allocate;

  properties[PROP_ACCOUNT_STORE] =
    g_param_spec_object ("account-store", NULL, NULL, CONFAB_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, CONFAB_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMOTE_IMAGES] =
    g_param_spec_boolean ("remote-images", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL, 0.5, 3.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabMessageRow::action:
   * @name: copy, regenerate, edit, delete, retry, retry-with, edit-account,
   *   open-link or load-image
   * @parameter: (nullable): the account id for retry-with and edit-account,
   *   the URI for open-link (http, https or mailto) and load-image
   *
   * The user asked for something to be done with the row's message.
   */
  signals[ACTION] =
    g_signal_new ("action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "row.copy", NULL, row_action_cb);
  gtk_widget_class_install_action (widget_class, "row.regenerate", NULL, row_action_cb);
  gtk_widget_class_install_action (widget_class, "row.edit", NULL, row_action_cb);
  gtk_widget_class_install_action (widget_class, "row.delete", NULL, row_action_cb);
  gtk_widget_class_install_action (widget_class, "row.retry", NULL, row_action_cb);
  gtk_widget_class_install_action (widget_class, "row.retry-with", "s", row_action_cb);
  gtk_widget_class_install_action (widget_class, "row.edit-account", NULL, edit_account_cb);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, body_box);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, content);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, metrics_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, origin_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, regenerate_button);
  gtk_widget_class_set_css_name (widget_class, "message");
}

static void
confab_message_row_init (ConfabMessageRow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->text_scale = 1.0;

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (ensure_tooltips), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  controller = gtk_event_controller_focus_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (ensure_tooltips), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->message_signals = g_signal_group_new (CONFAB_TYPE_MESSAGE);
  g_signal_group_connect_object (self->message_signals, "notify::text",
                                 G_CALLBACK (on_text_changed), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::reasoning",
                                 G_CALLBACK (on_reasoning_changed), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::state",
                                 G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::error-code",
                                 G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::error-message",
                                 G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::account-id",
                                 G_CALLBACK (update_origin), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::model",
                                 G_CALLBACK (update_origin), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::output-tokens",
                                 G_CALLBACK (update_metrics), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals, "notify::duration",
                                 G_CALLBACK (update_metrics), self, G_CONNECT_SWAPPED);

  self->store_signals = g_signal_group_new (CONFAB_TYPE_ACCOUNT_STORE);
  g_signal_group_connect_object (self->store_signals, "items-changed",
                                 G_CALLBACK (update_origin), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->store_signals, "items-changed",
                                 G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
}

GtkWidget *
confab_message_row_new (void)
{
  return g_object_new (CONFAB_TYPE_MESSAGE_ROW, NULL);
}

/* Returns: (nullable) (transfer none): the message shown */
ConfabMessage *
confab_message_row_get_message (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

void
confab_message_row_set_message (ConfabMessageRow *self,
                                ConfabMessage    *message)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || CONFAB_IS_MESSAGE (message));

  if (!g_set_object (&self->message, message))
    return;

  g_signal_group_set_target (self->message_signals, message);
  self->thinking_auto = TRUE;
  if (self->thinking_expander != NULL)
    set_thinking_expanded (self, FALSE);
  if (!self->lazy)
    ensure_tooltips (self);
  if (message != NULL)
    {
      /* A row bound while scrolling may be bound to another message a
       * frame later: what it shows waits until it is rendered. */
      if (self->lazy && !message_is_streaming (message))
        {
          defer_content (self);
        }
      else
        {
          show_message (self);
          confab_message_row_flush (self);
        }
    }
  else if (self->lazy)
    {
      drop_content (self);
      end_pending (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

ConfabAccountStore *
confab_message_row_get_account_store (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);
  return self->store;
}

/* The accounts name who answered and fill the "Retry with" menu. */
void
confab_message_row_set_account_store (ConfabMessageRow   *self,
                                      ConfabAccountStore *store)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (store == NULL || CONFAB_IS_ACCOUNT_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_signal_group_set_target (self->store_signals, store);
  if (self->message != NULL)
    {
      update_origin (self);
      update_state (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_STORE]);
}

/* Shows the message's current text now instead of at the next frame. */
void
confab_message_row_flush (ConfabMessageRow *self)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  end_pending (self);
  flush_text (self);
  flush_reasoning (self);
}

/**
 * confab_message_row_set_lazy:
 * @lazy: whether finished replies wait for
 *   confab_message_row_ensure_content() to be rendered
 *
 * For rows of a list that renders only what comes near the screen.
 */
void
confab_message_row_set_lazy (ConfabMessageRow *self,
                             gboolean          lazy)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  self->lazy = !!lazy;
  if (!self->lazy)
    confab_message_row_ensure_content (self);
}

/* Whether the message's text waits to be rendered. */
gboolean
confab_message_row_get_content_pending (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), FALSE);

  return self->content_pending;
}

/* Renders the message's text if it waits to be. */
void
confab_message_row_ensure_content (ConfabMessageRow *self)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  if (self->content_pending)
    confab_message_row_flush (self);
}

/* The text size preference, relative to normal. */
void
confab_message_row_set_text_scale (ConfabMessageRow *self,
                                   double            text_scale)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  if (self->text_scale == text_scale)
    return;
  self->text_scale = text_scale;
  if (self->markdown != NULL)
    confab_markdown_view_set_text_scale (self->markdown, text_scale);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

/* Whether images in replies load without a click (Privacy preferences). */
void
confab_message_row_set_remote_images (ConfabMessageRow *self,
                                      gboolean          remote_images)
{
  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));

  remote_images = !!remote_images;
  if (self->remote_images == remote_images)
    return;
  self->remote_images = remote_images;
  if (self->markdown != NULL)
    confab_markdown_view_set_remote_images (self->markdown, remote_images);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_IMAGES]);
}

/* The widget showing the text: a ConfabMarkdownView for replies, a
 * GtkLabel for the user's messages. */
GtkWidget *
confab_message_row_get_body (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);

  if (message_is_assistant (self->message))
    {
      ensure_markdown (self);
      return GTK_WIDGET (self->markdown);
    }
  ensure_text_label (self);
  return GTK_WIDGET (self->text_label);
}
