/* test-ui-conversation-view.c: long conversations stay cheap, and the view
 * follows the stream only while the user is at the bottom
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "confab-conversation-view.h"
#include "confab-message-row.h"

#define LONG_CONVERSATION 5000
/* GtkListView keeps a window of a couple of hundred rows around the
 * visible ones, however long the list. */
#define MAX_ROWS 400
#define PAGES    30

typedef struct
{
  GtkWidget              *window;
  ConfabConversationView *view;
  ConfabConversation     *conversation;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->view = CONFAB_CONVERSATION_VIEW (confab_conversation_view_new ());
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->view));
  gtk_window_present (GTK_WINDOW (fixture->window));
  fixture->conversation = confab_conversation_new ("conv0001");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->conversation);
}

static void
add_messages (ConfabConversation *conversation,
              guint               n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(ConfabMessage) message = NULL;

      if (i % 2 == 0)
        text = g_strdup_printf ("Question %u: 这个问题怎么回答？", i);
      else
        text = g_strdup_printf ("Answer %u with **bold**, `code` and a list:\n\n- one\n- two\n\n"
                                "A longer paragraph that wraps over a few lines so that rows have "
                                "different heights, as real replies do. 北京烤鸭很好吃。", i);
      message = confab_message_new (i % 2 == 0 ? CONFAB_ROLE_USER : CONFAB_ROLE_ASSISTANT, text);
      confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
      confab_conversation_append (conversation, message);
    }
}

static void
settle (Fixture *fixture)
{
  for (guint i = 0; i < 3; i++)
    {
      gtk_test_widget_wait_for_draw (fixture->window);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static guint
count_rows (GtkWidget *root)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += CONFAB_IS_MESSAGE_ROW (child) ? 1 : count_rows (child);
  return n;
}

/* Every row on screen got at least the height it asks for at its width:
 * otherwise its text is drawn over what follows (a row rendered late once
 * kept the height of its placeholder). */
static guint
assert_rows_fit (GtkWidget *root)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (CONFAB_IS_MESSAGE_ROW (child) && gtk_widget_get_mapped (child) &&
          gtk_widget_get_child_visible (child) && gtk_widget_get_width (child) > 0)
        {
          int minimum;

          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (child),
                              &minimum, NULL, NULL, NULL);
          g_assert_cmpint (gtk_widget_get_height (child), >=, minimum);
          n++;
        }
      else
        n += assert_rows_fit (child);
    }
  return n;
}

static void
test_long_conversation (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkAdjustment *adjustment = confab_conversation_view_get_vadjustment (fixture->view);
  gint64 start, opened, jumped;
  gint64 slowest = 0, total = 0;

  add_messages (fixture->conversation, LONG_CONVERSATION);

  start = g_get_monotonic_time ();
  confab_conversation_view_set_conversation (fixture->view, fixture->conversation);
  settle (fixture);
  opened = g_get_monotonic_time () - start;

  g_assert_cmpuint (assert_rows_fit (GTK_WIDGET (fixture->view)), >, 0);
  /* Only the rows on screen exist. */
  g_assert_cmpuint (count_rows (GTK_WIDGET (fixture->view)), >, 0);
  g_assert_cmpuint (count_rows (GTK_WIDGET (fixture->view)), <, MAX_ROWS);
  /* It opens at the end, where the latest reply is. */
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment),
                     >=, gtk_adjustment_get_upper (adjustment) - 50);

  /* Scrolling up a page at a time, as a user does. */
  for (guint i = 0; i < PAGES; i++)
    {
      gint64 step = g_get_monotonic_time ();

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) -
                                gtk_adjustment_get_page_size (adjustment));
      settle (fixture);
      step = g_get_monotonic_time () - step;
      slowest = MAX (slowest, step);
      total += step;
      g_assert_cmpuint (count_rows (GTK_WIDGET (fixture->view)), <, MAX_ROWS);
      assert_rows_fit (GTK_WIDGET (fixture->view));
    }

  /* And a jump into the middle. */
  start = g_get_monotonic_time ();
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  settle (fixture);
  jumped = g_get_monotonic_time () - start;
  assert_rows_fit (GTK_WIDGET (fixture->view));

  /* A conversation replaced by a short one, and then growing, as when
   * the user switches and sends. */
  {
    g_autoptr(ConfabConversation) other = confab_conversation_new ("conv0002");

    add_messages (other, 2);
    confab_conversation_view_set_conversation (fixture->view, other);
    settle (fixture);
    assert_rows_fit (GTK_WIDGET (fixture->view));
    add_messages (other, 2);
    settle (fixture);
    assert_rows_fit (GTK_WIDGET (fixture->view));
  }

  /* A reply streamed live, then the next exchange. */
  {
    g_autoptr(ConfabConversation) live = confab_conversation_new ("conv0003");
    g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "Hello through the proxy");
    g_autoptr(ConfabMessage) reply = confab_message_new (CONFAB_ROLE_ASSISTANT, "");

    confab_message_set_state (question, CONFAB_MESSAGE_COMPLETE);
    confab_conversation_append (live, question);
    confab_message_set_state (reply, CONFAB_MESSAGE_STREAMING);
    confab_conversation_append (live, reply);
    confab_conversation_view_set_conversation (fixture->view, live);
    settle (fixture);
    confab_message_append_text (reply, "Hello through ");
    settle (fixture);
    confab_message_append_text (reply, "the proxy");
    confab_message_set_state (reply, CONFAB_MESSAGE_COMPLETE);
    settle (fixture);
    assert_rows_fit (GTK_WIDGET (fixture->view));
    add_messages (live, 2);
    settle (fixture);
    assert_rows_fit (GTK_WIDGET (fixture->view));
  }

  /* The same conversation loaded again (from the history, after an
   * account was edited): every row is bound anew to an equal message. */
  {
    g_autoptr(ConfabConversation) again = confab_conversation_new ("conv0002");

    add_messages (again, 4);
    confab_conversation_view_set_conversation (fixture->view, again);
    settle (fixture);
    assert_rows_fit (GTK_WIDGET (fixture->view));
  }

  g_test_message ("opening %d messages: %.0f ms; scrolling a page: %.1f ms on average, "
                  "%.1f ms at most; jumping to the middle: %.0f ms",
                  LONG_CONVERSATION, opened / 1000.0, total / 1000.0 / PAGES, slowest / 1000.0,
                  jumped / 1000.0);
  /* Generous bounds for slow CI machines and sanitizer builds: what
   * matters is that nothing is proportional to 5,000. */
  g_assert_cmpint (opened, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (total / PAGES, <, 250 * 1000);
  g_assert_cmpint (jumped, <, 5 * G_USEC_PER_SEC);
}

static gboolean
at_bottom (Fixture *fixture)
{
  GtkAdjustment *adjustment = confab_conversation_view_get_vadjustment (fixture->view);

  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - 50;
}

static GtkWidget *
find_scrolled_window (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_SCROLLED_WINDOW (child) &&
          GTK_IS_LIST_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (child))))
        return child;
      if ((found = find_scrolled_window (child)) != NULL)
        return found;
    }
  return NULL;
}

/* A turn of the wheel, as the view's scroll controller receives it. */
static void
user_scrolls (Fixture *fixture)
{
  GtkWidget *scroller = find_scrolled_window (GTK_WIDGET (fixture->view));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  gboolean handled;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "confab-user-scroll") == 0)
        {
          g_signal_emit_by_name (controller, "scroll", 0.0, -1.0, &handled);
          return;
        }
    }
  g_assert_not_reached ();
}

static void
test_follows_stream (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkAdjustment *adjustment = confab_conversation_view_get_vadjustment (fixture->view);
  g_autoptr(ConfabMessage) reply = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
  double kept;

  add_messages (fixture->conversation, 40);
  confab_conversation_view_set_conversation (fixture->view, fixture->conversation);
  confab_message_set_state (reply, CONFAB_MESSAGE_STREAMING);
  confab_conversation_append (fixture->conversation, reply);
  settle (fixture);
  g_assert_true (confab_conversation_view_get_following (fixture->view));
  g_assert_true (at_bottom (fixture));

  /* At the bottom: the view follows the reply as it grows. */
  for (guint i = 0; i < 30; i++)
    {
      confab_message_append_text (reply, "A line of the streaming reply that grows the row.\n\n");
      settle (fixture);
      g_assert_true (at_bottom (fixture));
    }

  /* The list view moving by itself is not the user leaving. */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) - 300);
  settle (fixture);
  g_assert_true (confab_conversation_view_get_following (fixture->view));
  g_assert_true (at_bottom (fixture));

  /* The user scrolls up: the view stays where they are. */
  user_scrolls (fixture);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) - 600);
  settle (fixture);
  g_assert_false (confab_conversation_view_get_following (fixture->view));
  kept = gtk_adjustment_get_value (adjustment);
  for (guint i = 0; i < 10; i++)
    {
      confab_message_append_text (reply, "More text the user is not reading yet.\n\n");
      settle (fixture);
    }
  g_assert_cmpfloat (ABS (gtk_adjustment_get_value (adjustment) - kept), <, 1);
  g_assert_false (at_bottom (fixture));

  /* Back to the end: following again. */
  confab_conversation_view_scroll_to_bottom (fixture->view);
  settle (fixture);
  g_assert_true (confab_conversation_view_get_following (fixture->view));
  confab_message_append_text (reply, "And the end.\n\n");
  settle (fixture);
  g_assert_true (at_bottom (fixture));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add ("/conversation-view/long-conversation", Fixture, NULL,
              fixture_set_up, test_long_conversation, fixture_tear_down);
  g_test_add ("/conversation-view/follows-stream", Fixture, NULL,
              fixture_set_up, test_follows_stream, fixture_tear_down);

  return g_test_run ();
}
