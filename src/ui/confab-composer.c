/* confab-composer.c
 *
 * Enter sends and Shift+Enter starts a new line (the send-key setting
 * swaps them; Ctrl+Enter always sends). Most of our users type through an
 * input method, so Enter is only ours when the input method does not want
 * it: while a pre-edit string is being composed, Enter commits it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-composer.h"
#include "confab-widget-util.h"

struct _ConfabComposer
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkStack      *button_stack;
  GtkLabel      *placeholder;
  GtkScrolledWindow *scroller;
  GtkButton     *send_button;
  GtkButton     *stop_button;
  GtkTextView   *text_view;

  ConfabSendKey  send_key;
  guint          streaming : 1;
  guint          can_send : 1;
  guint          preedit_active : 1;
};

G_DEFINE_FINAL_TYPE (ConfabComposer, confab_composer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CAN_SEND,
  PROP_SEND_KEY,
  PROP_STREAMING,
  N_PROPS
};

enum {
  SEND,
  STOP,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Any Unicode space counts: Chinese input methods type U+3000. */
static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static void
update_state (ConfabComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *text = confab_composer_dup_text (self);
  gboolean empty = gtk_text_buffer_get_char_count (buffer) == 0;
  gboolean can_send = !self->streaming && !text_is_blank (text);

  gtk_widget_set_visible (GTK_WIDGET (self->placeholder), empty && !self->preedit_active);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), can_send);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), self->streaming);
  gtk_stack_set_visible_child_name (self->button_stack, self->streaming ? "stop" : "send");

  if (self->can_send != can_send)
    {
      self->can_send = can_send;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SEND]);
    }
}

static void
on_preedit_changed (GtkTextView    *text_view,
                    const char     *preedit,
                    ConfabComposer *self)
{
  self->preedit_active = preedit != NULL && *preedit != '\0';
  update_state (self);
}

static void
on_send_clicked (ConfabComposer *self)
{
  confab_composer_send (self);
}

static void
on_stop_clicked (ConfabComposer *self)
{
  if (self->streaming)
    g_signal_emit (self, signals[STOP], 0);
}

static void
insert_newline (ConfabComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete_selection (buffer, TRUE, TRUE);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, "\n", 1, TRUE);
  gtk_text_buffer_end_user_action (buffer);
  gtk_text_view_scroll_mark_onscreen (self->text_view, gtk_text_buffer_get_insert (buffer));
}

/* Runs in the capture phase, before the text view's own handler would
 * insert a newline. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                ConfabComposer        *self)
{
  GdkEvent *event;
  gboolean shift;
  gboolean sends;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;

  /* The input method is composing: Enter commits its text, so leave the
   * key to the text view, which hands it to the input method. */
  if (self->preedit_active)
    return GDK_EVENT_PROPAGATE;

  /* Input methods that compose in their own window show no pre-edit;
   * give them the key first, as gtk_text_view_im_context_filter_keypress()
   * is documented for. */
  event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  if (event != NULL && gtk_text_view_im_context_filter_keypress (self->text_view, event))
    return GDK_EVENT_STOP;

  state &= gtk_accelerator_get_default_mod_mask ();
  if ((state & GDK_CONTROL_MASK) != 0 && (state & ~(GDK_CONTROL_MASK | GDK_SHIFT_MASK)) == 0)
    {
      confab_composer_send (self);
      return GDK_EVENT_STOP;
    }
  if ((state & ~GDK_SHIFT_MASK) != 0)
    return GDK_EVENT_PROPAGATE;

  shift = (state & GDK_SHIFT_MASK) != 0;
  sends = self->send_key == CONFAB_SEND_KEY_ENTER ? !shift : shift;
  if (sends)
    confab_composer_send (self);
  else
    insert_newline (self);

  return GDK_EVENT_STOP;
}

static gboolean
confab_composer_grab_focus (GtkWidget *widget)
{
  ConfabComposer *self = CONFAB_COMPOSER (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
confab_composer_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CONFAB_TYPE_COMPOSER);
  /* Template children without an id are not disposed with it. */
  confab_widget_unparent_children (GTK_WIDGET (object));

  G_OBJECT_CLASS (confab_composer_parent_class)->dispose (object);
}

static void
confab_composer_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ConfabComposer *self = CONFAB_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CAN_SEND:
      g_value_set_boolean (value, self->can_send);
      break;
    case PROP_SEND_KEY:
      g_value_set_int (value, self->send_key);
      break;
    case PROP_STREAMING:
      g_value_set_boolean (value, self->streaming);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_composer_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ConfabComposer *self = CONFAB_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_SEND_KEY:
      confab_composer_set_send_key (self, g_value_get_int (value));
      break;
    case PROP_STREAMING:
      confab_composer_set_streaming (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_composer_class_init (ConfabComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_composer_dispose;
  object_class->get_property = confab_composer_get_property;
  object_class->set_property = confab_composer_set_property;
  widget_class->grab_focus = confab_composer_grab_focus;

  properties[PROP_CAN_SEND] =
    g_param_spec_boolean ("can-send", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEND_KEY] =
    g_param_spec_int ("send-key", NULL, NULL,
                      CONFAB_SEND_KEY_ENTER, CONFAB_SEND_KEY_SHIFT_ENTER, CONFAB_SEND_KEY_ENTER,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STREAMING] =
    g_param_spec_boolean ("streaming", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabComposer::send:
   * @text: the message
   *
   * Returns: %TRUE when the message was taken; the composer then clears.
   */
  signals[SEND] =
    g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  /**
   * ConfabComposer::stop:
   *
   * The user asked to stop the reply that streams.
   */
  signals[STOP] =
    g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, button_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, placeholder);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabComposer, text_view);
  gtk_widget_class_bind_template_callback (widget_class, on_preedit_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_clicked);
  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
confab_composer_init (ConfabComposer *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), keys);

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  update_state (self);
}

GtkWidget *
confab_composer_new (void)
{
  return g_object_new (CONFAB_TYPE_COMPOSER, NULL);
}

char *
confab_composer_dup_text (ConfabComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
confab_composer_set_text (ConfabComposer *self,
                          const char     *text)
{
  GtkTextBuffer *buffer;

  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
}

gboolean
confab_composer_get_can_send (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), FALSE);
  return self->can_send;
}

gboolean
confab_composer_get_streaming (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), FALSE);
  return self->streaming;
}

void
confab_composer_set_streaming (ConfabComposer *self,
                               gboolean        streaming)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  streaming = !!streaming;
  if (self->streaming == streaming)
    return;
  self->streaming = streaming;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

ConfabSendKey
confab_composer_get_send_key (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), CONFAB_SEND_KEY_ENTER);
  return self->send_key;
}

void
confab_composer_set_send_key (ConfabComposer *self,
                              ConfabSendKey   send_key)
{
  g_return_if_fail (CONFAB_IS_COMPOSER (self));

  if (self->send_key == send_key)
    return;
  self->send_key = send_key;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_KEY]);
}

/**
 * confab_composer_send:
 *
 * Offers the text to the ::send handlers; clears the composer when one
 * took it. Nothing happens while the text is blank or a reply streams.
 *
 * Returns: whether the message was sent
 */
gboolean
confab_composer_send (ConfabComposer *self)
{
  g_autofree char *text = NULL;
  gboolean taken = FALSE;

  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), FALSE);

  if (!self->can_send)
    return FALSE;

  text = confab_composer_dup_text (self);
  g_signal_emit (self, signals[SEND], 0, text, &taken);
  if (taken)
    confab_composer_set_text (self, NULL);
  return taken;
}

GtkTextView *
confab_composer_get_text_view (ConfabComposer *self)
{
  g_return_val_if_fail (CONFAB_IS_COMPOSER (self), NULL);
  return self->text_view;
}
