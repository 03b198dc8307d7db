/* test-ui-composer.c: the composer's keys, its Send button and input methods
 *
 * Key presses go through the composer's own key controller (the one in
 * the capture phase of the text view), as GTK delivers them; GTK 4.8 has
 * no public way to synthesize a GdkEvent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "confab-composer.h"

typedef struct
{
  GtkWidget *window;
  GtkWidget *composer;
  GPtrArray *sent;
  gboolean   accept;
} Fixture;

static gboolean
on_send (ConfabComposer *composer,
         const char     *text,
         Fixture        *fixture)
{
  g_ptr_array_add (fixture->sent, g_strdup (text));
  return fixture->accept;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->sent = g_ptr_array_new_with_free_func (g_free);
  fixture->accept = TRUE;
  fixture->composer = confab_composer_new ();
  g_signal_connect (fixture->composer, "send", G_CALLBACK (on_send), fixture);
  fixture->window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->composer);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_ptr_array_unref (fixture->sent);
}

static GtkEventController *
key_controller (ConfabComposer *composer)
{
  GtkWidget *view = GTK_WIDGET (confab_composer_get_text_view (composer));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        return controller;
    }
  g_assert_not_reached ();
}

/* Whether the composer kept the key from the text view. */
static gboolean
press (Fixture         *fixture,
       guint            keyval,
       GdkModifierType  state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (key_controller (CONFAB_COMPOSER (fixture->composer)), "key-pressed",
                         keyval, 0, state, &handled);
  return handled;
}

static char *
text (Fixture *fixture)
{
  return confab_composer_dup_text (CONFAB_COMPOSER (fixture->composer));
}

static void
type (Fixture    *fixture,
      const char *string)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (confab_composer_get_text_view (CONFAB_COMPOSER (fixture->composer)));

  gtk_text_buffer_insert_at_cursor (buffer, string, -1);
}

static void
test_enter_sends (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *left = NULL;

  type (fixture, "你好, world");
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent, 0), ==, "你好, world");
  left = text (fixture);
  g_assert_cmpstr (left, ==, "");

  /* The keypad's Enter too. */
  type (fixture, "again");
  g_assert_true (press (fixture, GDK_KEY_KP_Enter, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 2);
}

static void
test_shift_enter_inserts_newline (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *result = NULL;

  type (fixture, "first line");
  g_assert_true (press (fixture, GDK_KEY_Return, GDK_SHIFT_MASK));
  type (fixture, "second line");
  g_assert_cmpuint (fixture->sent->len, ==, 0);
  result = text (fixture);
  g_assert_cmpstr (result, ==, "first line\nsecond line");

  /* Ctrl+Enter sends whatever the setting. */
  g_assert_true (press (fixture, GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent, 0), ==, "first line\nsecond line");
}

static void
test_swapped_send_key (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *result = NULL;

  confab_composer_set_send_key (CONFAB_COMPOSER (fixture->composer), CONFAB_SEND_KEY_SHIFT_ENTER);
  type (fixture, "a");
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  type (fixture, "b");
  g_assert_cmpuint (fixture->sent->len, ==, 0);
  result = text (fixture);
  g_assert_cmpstr (result, ==, "a\nb");

  g_assert_true (press (fixture, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent, 0), ==, "a\nb");
}

static void
test_whitespace_cannot_send (Fixture       *fixture,
                             gconstpointer  data)
{
  ConfabComposer *composer = CONFAB_COMPOSER (fixture->composer);
  g_autofree char *left = NULL;

  g_assert_false (confab_composer_get_can_send (composer));
  type (fixture, "  \n\t \u3000");
  g_assert_false (confab_composer_get_can_send (composer));
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 0);
  g_assert_false (confab_composer_send (composer));
  /* Nothing was lost either. */
  left = text (fixture);
  g_assert_cmpstr (left, ==, "  \n\t \u3000");

  type (fixture, "x");
  g_assert_true (confab_composer_get_can_send (composer));
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *accessible_label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_widget_get_tooltip_text (child), accessible_label) == 0)
        return child;
      if ((found = find_button (child, accessible_label)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_send_button (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *send = find_button (fixture->composer, "Send");

  g_assert_nonnull (send);
  g_assert_false (gtk_widget_get_sensitive (send));
  type (fixture, "   ");
  g_assert_false (gtk_widget_get_sensitive (send));
  type (fixture, "hi");
  g_assert_true (gtk_widget_get_sensitive (send));

  g_signal_emit_by_name (send, "clicked");
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  g_assert_false (gtk_widget_get_sensitive (send));

  /* While a reply streams, nothing can be sent. */
  confab_composer_set_streaming (CONFAB_COMPOSER (fixture->composer), TRUE);
  type (fixture, "next");
  g_assert_false (confab_composer_get_can_send (CONFAB_COMPOSER (fixture->composer)));
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  confab_composer_set_streaming (CONFAB_COMPOSER (fixture->composer), FALSE);
  g_assert_true (confab_composer_get_can_send (CONFAB_COMPOSER (fixture->composer)));
}

/* A refused message stays in the composer. */
static void
test_refused_message_stays (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *left = NULL;

  fixture->accept = FALSE;
  type (fixture, "no account yet");
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  left = text (fixture);
  g_assert_cmpstr (left, ==, "no account yet");
}

/* While an input method composes (pinyin, say), Enter commits its text:
 * the composer leaves the key alone. */
static void
test_preedit_keeps_enter (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkTextView *view = confab_composer_get_text_view (CONFAB_COMPOSER (fixture->composer));

  type (fixture, "我想");
  g_signal_emit_by_name (view, "preedit-changed", "beijing");
  g_assert_false (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 0);

  /* Committed: Enter sends again. */
  g_signal_emit_by_name (view, "preedit-changed", "");
  type (fixture, "北京");
  g_assert_true (press (fixture, GDK_KEY_Return, 0));
  g_assert_cmpuint (fixture->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sent, 0), ==, "我想北京");
}

static void
test_other_keys_pass (Fixture       *fixture,
                      gconstpointer  data)
{
  g_assert_false (press (fixture, GDK_KEY_a, 0));
  g_assert_false (press (fixture, GDK_KEY_Return, GDK_ALT_MASK));
  g_assert_cmpuint (fixture->sent->len, ==, 0);
}

static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkTextView *view = confab_composer_get_text_view (CONFAB_COMPOSER (fixture->composer));

  gtk_test_accessible_assert_property (view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Message");
  gtk_test_accessible_assert_property (find_button (fixture->composer, "Send"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Send");
  gtk_test_accessible_assert_property (find_button (fixture->composer, "Stop (Esc)"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Stop");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/composer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("enter-sends", test_enter_sends);
  ADD ("shift-enter-newline", test_shift_enter_inserts_newline);
  ADD ("swapped-send-key", test_swapped_send_key);
  ADD ("whitespace-cannot-send", test_whitespace_cannot_send);
  ADD ("send-button", test_send_button);
  ADD ("refused-message-stays", test_refused_message_stays);
  ADD ("preedit-keeps-enter", test_preedit_keeps_enter);
  ADD ("other-keys-pass", test_other_keys_pass);
  ADD ("accessible-names", test_accessible_names);
#undef ADD

  return g_test_run ();
}
