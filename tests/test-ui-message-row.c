/* test-ui-message-row.c: what a message row shows in each state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "confab-account-store.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"

typedef struct
{
  ConfabAccountStore *store;
  ConfabAccount      *work;
  ConfabAccount      *backup;
  GtkWidget          *window;
  ConfabMessageRow   *row;
  GPtrArray          *actions;
} Fixture;

static void
on_action (ConfabMessageRow *row,
           const char       *name,
           const char       *parameter,
           Fixture          *fixture)
{
  g_ptr_array_add (fixture->actions, g_strdup_printf ("%s(%s)", name, parameter ? parameter : ""));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "accounts.json", NULL);

  fixture->store = confab_account_store_new (path);
  fixture->work = confab_account_new ("work0000", "Work", "custom");
  fixture->backup = confab_account_new ("backup00", "Backup", "deepseek");
  g_assert_true (confab_account_store_add (fixture->store, fixture->work, NULL));
  g_assert_true (confab_account_store_add (fixture->store, fixture->backup, NULL));

  fixture->actions = g_ptr_array_new_with_free_func (g_free);
  fixture->row = CONFAB_MESSAGE_ROW (confab_message_row_new ());
  confab_message_row_set_account_store (fixture->row, fixture->store);
  g_signal_connect (fixture->row, "action", G_CALLBACK (on_action), fixture);
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 700, 500);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->row));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->work);
  g_clear_object (&fixture->backup);
  g_clear_object (&fixture->store);
  g_ptr_array_unref (fixture->actions);
}

/* Tree helpers */

static gboolean
shown (GtkWidget *widget,
       GtkWidget *root)
{
  for (; widget != NULL && widget != root; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return widget == root && gtk_widget_get_visible (root);
}

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find (GtkWidget     *root,
      Match          match,
      gconstpointer  data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (match (child, data))
        return child;
      if ((found = find (child, match, data)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
label_is (GtkWidget     *widget,
          gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text);
}

static gboolean
label_has (GtkWidget     *widget,
           gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
button_says (GtkWidget     *widget,
             gconstpointer  text)
{
  return (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0) ||
         (GTK_IS_MENU_BUTTON (widget) && g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)), text) == 0) ||
         (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0);
}

static gboolean
is_type (GtkWidget     *widget,
         gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static GtkWidget *
row_widget (Fixture *fixture)
{
  return GTK_WIDGET (fixture->row);
}

static gboolean
label_shown (Fixture    *fixture,
             const char *text)
{
  GtkWidget *label = find (row_widget (fixture), label_is, text);

  return label != NULL && shown (label, row_widget (fixture));
}

static GtkWidget *
shown_button (Fixture    *fixture,
              const char *text)
{
  GtkWidget *button = find (row_widget (fixture), button_says, text);

  return button != NULL && shown (button, row_widget (fixture)) ? button : NULL;
}

static ConfabMessage *
assistant (ConfabMessageState state)
{
  ConfabMessage *message = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);

  confab_message_set_state (message, state);
  confab_message_set_account_id (message, "work0000");
  confab_message_set_provider_id (message, "custom");
  confab_message_set_model (message, "echo");
  return message;
}

/* Tests */

static void
test_user_message (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_USER, "Is <b>this</b> bold? 北京");

  confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
  confab_message_row_set_message (fixture->row, message);

  /* The user's text as typed: markup shows literally. */
  g_assert_true (label_shown (fixture, "Is <b>this</b> bold? 北京"));
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (confab_message_row_get_body (fixture->row))));
  g_assert_nonnull (shown_button (fixture, "Copy as Markdown"));
  g_assert_nonnull (shown_button (fixture, "Edit and Resend"));
  g_assert_nonnull (shown_button (fixture, "Delete Message"));
  g_assert_null (shown_button (fixture, "Regenerate"));
  g_assert_true (gtk_widget_has_css_class (row_widget (fixture), "user"));
}

static void
test_streaming_reply (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_STREAMING);
  GtkWidget *spinner, *expander;

  confab_message_row_set_message (fixture->row, message);
  spinner = find (row_widget (fixture), is_type, GSIZE_TO_POINTER (GTK_TYPE_SPINNER));
  g_assert_nonnull (spinner);
  /* No Thinking section for a model that does not think. */
  g_assert_null (find (row_widget (fixture), is_type, GSIZE_TO_POINTER (GTK_TYPE_EXPANDER)));

  /* Waiting for the first token: a progress indicator, no actions. */
  g_assert_true (shown (spinner, row_widget (fixture)));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_true (label_shown (fixture, "Work · echo"));
  g_assert_null (shown_button (fixture, "Copy as Markdown"));
  g_assert_null (shown_button (fixture, "Regenerate"));

  /* Reasoning arrives: the Thinking section opens. */
  confab_message_append_reasoning (message, "Let me think about ");
  confab_message_append_reasoning (message, "this.");
  confab_message_row_flush (fixture->row);
  expander = find (row_widget (fixture), is_type, GSIZE_TO_POINTER (GTK_TYPE_EXPANDER));
  g_assert_false (shown (spinner, row_widget (fixture)));
  g_assert_true (shown (expander, row_widget (fixture)));
  g_assert_true (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  g_assert_true (label_shown (fixture, "Let me think about this."));

  /* The answer starts: the Thinking section closes. */
  confab_message_append_text (message, "The **answer** ");
  confab_message_append_text (message, "is 42.");
  confab_message_row_flush (fixture->row);
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (confab_message_row_get_body (fixture->row))),
                   ==, "The **answer** is 42.");
  g_assert_true (shown (confab_message_row_get_body (fixture->row), row_widget (fixture)));

  /* Done: under the reply, the model, tokens, time to first token and speed. */
  confab_message_set_input_tokens (message, 12);
  confab_message_set_output_tokens (message, 34);
  confab_message_set_ttft (message, 500);
  confab_message_set_duration (message, 1000);
  confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
  g_assert_true (label_shown (fixture, "echo · 12 in, 34 out tokens · 0.50 s to first token · 68.0 tokens/s"));
  g_assert_nonnull (shown_button (fixture, "Copy as Markdown"));
  g_assert_nonnull (shown_button (fixture, "Regenerate"));
  g_assert_null (shown_button (fixture, "Edit and Resend"));
}

static void
test_user_reopens_thinking (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_STREAMING);
  GtkWidget *expander;

  confab_message_row_set_message (fixture->row, message);
  confab_message_append_reasoning (message, "hmm");
  confab_message_append_text (message, "ok");
  confab_message_row_flush (fixture->row);
  expander = find (row_widget (fixture), is_type, GSIZE_TO_POINTER (GTK_TYPE_EXPANDER));
  g_assert_false (gtk_expander_get_expanded (GTK_EXPANDER (expander)));

  /* Once the user opens it, it stays open. */
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  confab_message_append_text (message, " more");
  confab_message_row_flush (fixture->row);
  g_assert_true (gtk_expander_get_expanded (GTK_EXPANDER (expander)));
}

static void
test_region_error (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_STREAMING);
  GtkWidget *retry, *retry_with, *edit;
  GMenuModel *menu;
  g_autofree char *label = NULL;
  g_autofree char *target = NULL;

  confab_message_row_set_message (fixture->row, message);
  confab_message_set_error (message, "region", "Country, region, or territory not supported");
  confab_message_set_state (message, CONFAB_MESSAGE_FAILED);

  g_assert_true (label_shown (fixture, "This provider is not available in your region"));
  g_assert_true (label_shown (fixture, "Country, region, or territory not supported"));
  retry = shown_button (fixture, "Retry");
  retry_with = shown_button (fixture, "Retry with");
  edit = shown_button (fixture, "Edit Account");
  g_assert_nonnull (retry);
  g_assert_nonnull (retry_with);
  g_assert_nonnull (edit);

  /* The account is the problem: another account is offered first. */
  g_assert_true (gtk_widget_get_first_child (gtk_widget_get_parent (retry_with)) == retry_with);
  g_assert_true (gtk_widget_has_css_class (retry_with, "suggested-action"));
  g_assert_false (gtk_widget_has_css_class (retry, "suggested-action"));

  /* Every other account, and not the one that failed. */
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (retry_with));
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
  g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label);
  g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_TARGET, "s", &target);
  g_assert_cmpstr (label, ==, "Backup (DeepSeek)");
  g_assert_cmpstr (target, ==, "backup00");

  gtk_widget_activate_action (row_widget (fixture), "row.retry-with", "s", "backup00");
  gtk_widget_activate_action (row_widget (fixture), "row.retry", NULL);
  gtk_widget_activate_action (row_widget (fixture), "row.edit-account", NULL);
  g_assert_cmpuint (fixture->actions->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fixture->actions, 0), ==, "retry-with(backup00)");
  g_assert_cmpstr (g_ptr_array_index (fixture->actions, 1), ==, "retry()");
  g_assert_cmpstr (g_ptr_array_index (fixture->actions, 2), ==, "edit-account(work0000)");
}

static void
test_server_error_retries_first (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_FAILED);
  GtkWidget *retry;

  confab_message_set_error (message, "server", "HTTP 500: upstream exploded");
  confab_message_row_set_message (fixture->row, message);

  g_assert_true (label_shown (fixture, "The provider had a server error"));
  retry = shown_button (fixture, "Retry");
  g_assert_true (gtk_widget_get_first_child (gtk_widget_get_parent (retry)) == retry);
  g_assert_true (gtk_widget_has_css_class (retry, "suggested-action"));
}

static void
test_interrupted_keeps_text (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_STREAMING);

  confab_message_row_set_message (fixture->row, message);
  confab_message_append_text (message, "Half of the ans");
  confab_message_set_error (message, "network", "The connection was closed");
  confab_message_set_state (message, CONFAB_MESSAGE_INTERRUPTED);
  confab_message_row_flush (fixture->row);

  g_assert_cmpstr (confab_markdown_view_get_text (CONFAB_MARKDOWN_VIEW (confab_message_row_get_body (fixture->row))),
                   ==, "Half of the ans");
  g_assert_true (shown (confab_message_row_get_body (fixture->row), row_widget (fixture)));
  g_assert_true (label_shown (fixture, "Interrupted: this reply is incomplete."));
  g_assert_true (label_shown (fixture, "Could not reach the provider"));
  g_assert_nonnull (shown_button (fixture, "Retry"));
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_STREAMING);

  confab_message_row_set_message (fixture->row, message);
  confab_message_append_text (message, "Some text");
  confab_message_set_state (message, CONFAB_MESSAGE_CANCELLED);
  g_assert_true (label_shown (fixture, "Stopped: this reply is incomplete."));
  g_assert_null (shown_button (fixture, "Retry"));
  g_assert_null (find (row_widget (fixture), label_is, "echo · "));
}

/* Model output is data: Pango markup in a reply shows literally. */
static void
test_reply_markup_is_literal (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_COMPLETE);

  confab_message_set_text (message, "Look: <span foreground=\"red\">red</span> & <b>bold</b>");
  confab_message_row_set_message (fixture->row, message);
  confab_message_row_flush (fixture->row);
  confab_markdown_view_flush (CONFAB_MARKDOWN_VIEW (confab_message_row_get_body (fixture->row)));

  g_assert_nonnull (find (confab_message_row_get_body (fixture->row), label_has,
                          "<span foreground=\"red\">red</span> & <b>bold</b>"));
}

static void
test_recycled_row (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ConfabMessage) failed = assistant (CONFAB_MESSAGE_FAILED);
  g_autoptr(ConfabMessage) user = confab_message_new (CONFAB_ROLE_USER, "plain");

  confab_message_set_error (failed, "auth", "Incorrect API key provided");
  confab_message_row_set_message (fixture->row, failed);
  g_assert_true (label_shown (fixture, "The provider did not accept the API key"));

  /* The list view reuses rows: nothing of the last message may remain. */
  confab_message_set_state (user, CONFAB_MESSAGE_COMPLETE);
  confab_message_row_set_message (fixture->row, user);
  g_assert_false (label_shown (fixture, "The provider did not accept the API key"));
  g_assert_false (label_shown (fixture, "Work · echo"));
  g_assert_true (label_shown (fixture, "plain"));
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

static void
collect_labels (GtkWidget *root,
                GtkWidget *widget,
                GPtrArray *labels)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child) || !gtk_widget_get_child_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        g_ptr_array_add (labels, child);
      collect_labels (root, child, labels);
    }
}

/* No label's text reaches into a label below it: each gets the height
 * its text needs at its width (a label shown again after its text changed
 * while hidden once kept the height of nothing, and its text was drawn
 * over the line of token counts). */
static void
assert_labels_fit (GtkWidget *row)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect_labels (row, row, labels);
  g_assert_cmpuint (labels->len, >, 0);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *upper = g_ptr_array_index (labels, i);
      graphene_rect_t a;
      int needed;

      g_assert_true (gtk_widget_compute_bounds (upper, row, &a));
      gtk_widget_measure (upper, GTK_ORIENTATION_VERTICAL, (int) a.size.width, &needed, NULL, NULL, NULL);
      for (guint j = 0; j < labels->len; j++)
        {
          GtkWidget *lower = g_ptr_array_index (labels, j);
          graphene_rect_t b;

          g_assert_true (gtk_widget_compute_bounds (lower, row, &b));
          if (i == j || b.origin.y < a.origin.y ||
              b.origin.x >= a.origin.x + a.size.width || a.origin.x >= b.origin.x + b.size.width)
            continue;
          if (b.origin.y < a.origin.y + needed - 1)
            g_error ("\"%s\" (%.0f px from the top, needs %d px) reaches into \"%s\" (%.0f px)",
                     gtk_label_get_text (GTK_LABEL (upper)), a.origin.y, needed,
                     gtk_label_get_text (GTK_LABEL (lower)), b.origin.y);
        }
    }
}

/* Unbinds the row and binds it to @message, as GtkListView recycles rows. */
static void
rebind (Fixture       *fixture,
        ConfabMessage *message)
{
  confab_message_row_set_message (fixture->row, NULL);
  settle (fixture);
  confab_message_row_set_message (fixture->row, message);
  settle (fixture);
}

/* A lazy row, as the conversation view's: bound, rendered, unbound and
 * bound to the next message, as GtkListView recycles rows. */
static void
test_rebound_row_fits (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(ConfabMessage) first = assistant (CONFAB_MESSAGE_COMPLETE);
  g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "Hello through the proxy");
  g_autoptr(ConfabMessage) reply = assistant (CONFAB_MESSAGE_STREAMING);
  g_autoptr(ConfabMessage) again = assistant (CONFAB_MESSAGE_COMPLETE);

  confab_message_row_set_lazy (fixture->row, TRUE);
  confab_message_set_text (first, "An earlier reply");
  confab_message_row_set_message (fixture->row, first);
  confab_message_row_ensure_content (fixture->row);
  settle (fixture);
  assert_labels_fit (row_widget (fixture));

  confab_message_set_state (question, CONFAB_MESSAGE_COMPLETE);
  rebind (fixture, question);
  confab_message_row_ensure_content (fixture->row);
  settle (fixture);
  assert_labels_fit (row_widget (fixture));

  confab_message_set_text (reply, "");
  rebind (fixture, reply);
  confab_message_append_text (reply, "Hello through the proxy");
  confab_message_set_output_tokens (reply, 8);
  confab_message_set_state (reply, CONFAB_MESSAGE_COMPLETE);
  settle (fixture);
  assert_labels_fit (row_widget (fixture));

  confab_message_set_text (again, "Hello through the proxy, loaded again");
  rebind (fixture, again);
  confab_message_row_ensure_content (fixture->row);
  settle (fixture);
  assert_labels_fit (row_widget (fixture));
}

/* A lazy row bound to a finished message neither lays out nor draws it
 * until the view asks, and holds the height the message had when last
 * shown at that width (the list view rebinds rows by the dozen while
 * scrolling; GTK 4.8). */
static void
test_pending_row (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabMessage) question = confab_message_new (CONFAB_ROLE_USER, "A question\nover\nfour lines\nof text");
  g_autoptr(ConfabMessage) other = confab_message_new (CONFAB_ROLE_USER, "Another");
  GtkWidget *label;
  int shown_height, estimate;

  confab_message_set_state (question, CONFAB_MESSAGE_COMPLETE);
  confab_message_set_state (other, CONFAB_MESSAGE_COMPLETE);
  confab_message_row_set_lazy (fixture->row, TRUE);

  confab_message_row_set_message (fixture->row, question);
  settle (fixture);
  g_assert_true (confab_message_row_get_content_pending (fixture->row));
  g_assert_null (find (row_widget (fixture), label_is, "A question\nover\nfour lines\nof text"));
  estimate = gtk_widget_get_height (row_widget (fixture));
  g_assert_cmpint (estimate, >, 0);

  confab_message_row_ensure_content (fixture->row);
  settle (fixture);
  g_assert_false (confab_message_row_get_content_pending (fixture->row));
  label = find (row_widget (fixture), label_is, "A question\nover\nfour lines\nof text");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  assert_labels_fit (row_widget (fixture));
  shown_height = gtk_widget_get_height (row_widget (fixture));

  rebind (fixture, other);
  g_assert_true (confab_message_row_get_content_pending (fixture->row));
  rebind (fixture, question);
  g_assert_true (confab_message_row_get_content_pending (fixture->row));
  g_assert_cmpint (gtk_widget_get_height (row_widget (fixture)), ==, shown_height);
  label = find (row_widget (fixture), label_is, "A question\nover\nfour lines\nof text");
  g_assert_true (label == NULL || !gtk_widget_get_mapped (label));

  confab_message_row_ensure_content (fixture->row);
  settle (fixture);
  g_assert_cmpint (gtk_widget_get_height (row_widget (fixture)), ==, shown_height);
  assert_labels_fit (row_widget (fixture));
}

static void
test_copy_action (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_COMPLETE);

  confab_message_set_text (message, "copy me");
  confab_message_row_set_message (fixture->row, message);
  gtk_widget_activate_action (row_widget (fixture), "row.copy", NULL);
  gtk_widget_activate_action (row_widget (fixture), "row.regenerate", NULL);
  gtk_widget_activate_action (row_widget (fixture), "row.delete", NULL);
  g_assert_cmpuint (fixture->actions->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fixture->actions, 0), ==, "copy()");
  g_assert_cmpstr (g_ptr_array_index (fixture->actions, 1), ==, "regenerate()");
  g_assert_cmpstr (g_ptr_array_index (fixture->actions, 2), ==, "delete()");
}

static void
test_metrics_text (void)
{
  g_autoptr(ConfabMessage) message = assistant (CONFAB_MESSAGE_COMPLETE);
  g_autofree char *none = NULL;
  g_autofree char *fast = NULL;

  confab_message_set_model (message, NULL);
  none = confab_message_row_dup_metrics_text (message);
  g_assert_null (none);

  /* Everything in a few milliseconds is no speed to report. */
  confab_message_set_model (message, "m");
  confab_message_set_output_tokens (message, 10);
  confab_message_set_ttft (message, 100);
  confab_message_set_duration (message, 102);
  fast = confab_message_row_dup_metrics_text (message);
  g_assert_cmpstr (fast, ==, "m · ? in, 10 out tokens · 0.10 s to first token");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/message-row/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("user-message", test_user_message);
  ADD ("streaming-reply", test_streaming_reply);
  ADD ("user-reopens-thinking", test_user_reopens_thinking);
  ADD ("region-error", test_region_error);
  ADD ("server-error-retries-first", test_server_error_retries_first);
  ADD ("interrupted-keeps-text", test_interrupted_keeps_text);
  ADD ("cancelled", test_cancelled);
  ADD ("reply-markup-is-literal", test_reply_markup_is_literal);
  ADD ("recycled-row", test_recycled_row);
  ADD ("copy-action", test_copy_action);
  ADD ("rebound-row-fits", test_rebound_row_fits);
  ADD ("pending-row", test_pending_row);
#undef ADD
  g_test_add_func ("/message-row/metrics-text", test_metrics_text);

  return g_test_run ();
}
