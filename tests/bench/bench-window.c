/* bench-window.c: the real app's window, opening and streaming conversations
 *
 *   bench-window open ID [--scroll [STEP FRAMES]]
 *   bench-window huge ACCOUNT MODEL
 *
 * Starts the app as src/main.c does (ConfabApplication, its window, its
 * history, its accounts), but drives the main loop itself so that it can
 * time each iteration (bench-ui.c). Prints one JSON object.
 *
 * open: opens conversation ID of the history, as a click in the sidebar
 * does. Measures the time until the first frame showing it is drawn and
 * until the frame showing its end (where the view opens), the resident
 * memory before and after. With --scroll it then scrolls from the top to
 * the bottom one screenful a frame, so that every message passes through
 * the screen, and measures each frame and main-loop iteration; with STEP
 * and FRAMES, STEP screenfuls a frame (0.125: a fast turn of the wheel)
 * for at most FRAMES frames.
 *
 * huge: sends a message, as the composer does, with MODEL of ACCOUNT
 * (the mock provider's huge-20m), and follows the reply through the real
 * chat path (chat runner, recorder, history, conversation view). Reports
 * the resident memory before, at its peak, at the end of the reply, and
 * after the conversation was closed (a new chat shown instead).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "bench-window"

#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

#include "bench-ui.h"
#include "confab-application.h"
#include "confab-message-row.h"
#include "confab-window-private.h"

typedef struct
{
  ConfabApplication *app;
  ConfabWindow      *window;
  guint              frames_before;
  ConfabMessage     *reply;
  GtkAdjustment     *adjustment;
  gboolean           bottom_reached;
  guint              unrendered_frames;
  /* Scrolling: screenfuls a frame, and the frames to stop after (0: at the end) */
  double             scroll_step;
  guint              scroll_max_frames;
  guint              scroll_frames;
  double             scrolled_px;
} Bench;

static double
ms (gint64 us)
{
  return us / 1000.0;
}

static gboolean
window_mapped (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (bench->window));
}

static gboolean
history_listed (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->window->history != NULL && !bench->window->refreshing;
}

static void
start_app (Bench *bench)
{
  g_autoptr(GError) error = NULL;

  g_set_application_name ("Confab");
  bench->app = confab_application_new ();
  if (!g_application_register (G_APPLICATION (bench->app), NULL, &error))
    g_error ("%s", error->message);
  g_application_activate (G_APPLICATION (bench->app));
  bench->window = CONFAB_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (bench->app)));
  if (!bench_ui_run_until (window_mapped, bench, 60))
    g_error ("the window was not shown");
  bench_ui_watch_frames (GTK_WIDGET (bench->window));
  if (!bench_ui_run_until (history_listed, bench, 60))
    g_error ("the history was not listed");
  bench_ui_wait_frames (2);
}

static void
stop_app (Bench *bench)
{
  gtk_window_destroy (GTK_WINDOW (bench->window));
  g_application_quit (G_APPLICATION (bench->app));
  g_clear_object (&bench->app);
}

/* Opening */

static gboolean
is_shown (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->frames_before > 0 && bench_ui_get_n_frames () > bench->frames_before;
}

static void
on_conversation_shown (Bench *bench)
{
  bench->frames_before = bench_ui_get_n_frames ();
}

static gboolean
at_bottom (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - 1;
}

static gboolean
end_shown (gpointer user_data)
{
  Bench *bench = user_data;

  return confab_conversation_view_get_following (bench->window->conversation_view) &&
         at_bottom (bench->adjustment);
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Rows on screen whose text was not rendered: the conversation view
 * renders rows lazily, and must do so before it paints them. */
static guint
count_unrendered_on_screen (Bench *bench)
{
  GtkWidget *list = find_descendant (GTK_WIDGET (bench->window->conversation_view),
                                     GTK_TYPE_LIST_VIEW);
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      graphene_rect_t bounds;

      /* (GTK 4.8 keeps the allocation of rows it no longer shows, and
       * hides them with gtk_widget_set_child_visible().) */
      if (CONFAB_IS_MESSAGE_ROW (row) && gtk_widget_get_height (child) > 0 &&
          gtk_widget_get_child_visible (child) &&
          gtk_widget_compute_bounds (child, list, &bounds) &&
          bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < gtk_widget_get_height (list) &&
          confab_message_row_get_content_pending (CONFAB_MESSAGE_ROW (row)))
        n++;
    }
  return n;
}

/* A turn of the wheel as the view's scroll controller receives it: the
 * view then takes the moves that follow for the user's, and stops
 * following the end of the conversation. */
static void
user_scrolls (Bench *bench)
{
  GtkWidget *list = find_descendant (GTK_WIDGET (bench->window->conversation_view),
                                     GTK_TYPE_LIST_VIEW);
  GtkWidget *scroller = gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  gboolean handled;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "confab-user-scroll") == 0)
        {
          g_signal_emit_by_name (controller, "scroll", 0.0, 0.0, &handled);
          return;
        }
    }
  g_error ("the conversation view has no scroll controller named confab-user-scroll");
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  Bench *bench = user_data;
  GtkAdjustment *adjustment = bench->adjustment;
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  /* As the last frame painted them. */
  if (count_unrendered_on_screen (bench) > 0)
    bench->unrendered_frames++;

  if (at_bottom (adjustment) ||
      (bench->scroll_max_frames > 0 && bench->scroll_frames == bench->scroll_max_frames))
    {
      bench->bottom_reached = TRUE;
      return G_SOURCE_REMOVE;
    }
  user_scrolls (bench);
  bench->scroll_frames++;
  bench->scrolled_px += bench->scroll_step * gtk_adjustment_get_page_size (adjustment);
  gtk_adjustment_set_value (adjustment,
                            MIN (gtk_adjustment_get_value (adjustment) +
                                 bench->scroll_step * gtk_adjustment_get_page_size (adjustment),
                                 bottom));
  return G_SOURCE_CONTINUE;
}

static gboolean
bottom_reached (gpointer user_data)
{
  Bench *bench = user_data;

  return bench->bottom_reached;
}

static BenchRecording *
scroll_top_to_bottom (Bench *bench)
{
  GtkWidget *view = GTK_WIDGET (bench->window->conversation_view);

  /* The list view measures the rows that come on screen and moves the
   * adjustment to keep what is shown in place: ask until the top stays. */
  for (guint i = 0; i < 20 && (i == 0 || gtk_adjustment_get_value (bench->adjustment) > 1); i++)
    {
      user_scrolls (bench);
      gtk_adjustment_set_value (bench->adjustment, 0);
      bench_ui_wait_frames (2);
      bench_ui_run_for (0.2);
    }
  if (gtk_adjustment_get_value (bench->adjustment) > gtk_adjustment_get_page_size (bench->adjustment))
    g_error ("the view did not stay at the top: at %g of %g", gtk_adjustment_get_value (bench->adjustment),
             gtk_adjustment_get_upper (bench->adjustment));

  bench->bottom_reached = FALSE;
  bench_ui_start ();
  gtk_widget_add_tick_callback (view, scroll_tick_cb, bench, NULL);
  if (!bench_ui_run_until (bottom_reached, bench, 600))
    g_error ("the view did not reach the end");
  return bench_ui_stop ();
}

static void
print_scroll (Bench          *bench,
              BenchRecording *scroll)
{
  printf (",\n \"scroll_step\": %g, \"scroll_px_per_s\": %.0f,", bench->scroll_step,
          bench->scrolled_px / (scroll->wall_us / (double) G_USEC_PER_SEC));
  printf ("\n \"scroll_frames_with_unrendered_rows\": %u,", bench->unrendered_frames);
  printf ("\n \"scroll_frames\": %u, \"scroll_s\": %.2f, \"scroll_max_frame_ms\": %.2f,"
          " \"scroll_p95_frame_ms\": %.2f, \"scroll_frames_over_16ms\": %u,\n"
          " \"scroll_max_iteration_ms\": %.2f, \"scroll_p95_iteration_ms\": %.2f,"
          " \"scroll_iterations_over_16ms\": %u, \"scroll_max_busy_ms\": %.2f",
          scroll->frames->len, scroll->wall_us / (double) G_USEC_PER_SEC,
          ms (bench_max (scroll->frames)), ms (bench_percentile (scroll->frames, 0.95)),
          bench_count_over (scroll->frames, 16000),
          ms (bench_max (scroll->iterations)), ms (bench_percentile (scroll->iterations, 0.95)),
          bench_count_over (scroll->iterations, 16000), ms (bench_max (scroll->busy)));
}

static int
bench_open (Bench      *bench,
            const char *id,
            gboolean    scroll)
{
  ConfabConversationView *view = bench->window->conversation_view;
  gint64 rss_before, rss_after, start, first_paint, end_paint;
  gint64 cpu_start, first_paint_cpu, end_paint_cpu;
  guint unrendered_first, unrendered_end;
  guint n_messages;

  bench->adjustment = confab_conversation_view_get_vadjustment (view);
  /* Without an account the window shows its welcome page instead. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (view)))
    g_error ("the conversation view is not shown: add an account first");
  rss_before = bench_settled_rss_kib ();

  g_signal_connect_swapped (view, "notify::conversation", G_CALLBACK (on_conversation_shown), bench);
  start = g_get_monotonic_time ();
  cpu_start = bench_thread_cpu_us ();
  confab_window_open_conversation (bench->window, id);
  if (!bench_ui_run_until (is_shown, bench, 120))
    g_error ("conversation %s was not shown", id);
  first_paint = g_get_monotonic_time () - start;
  /* The main thread's CPU time: on a busy machine the wall-clock time
   * also counts what other programs took. */
  first_paint_cpu = bench_thread_cpu_us () - cpu_start;
  unrendered_first = count_unrendered_on_screen (bench);
  /* The view scrolls to the end in an idle callback, once the rows it
   * shows first are measured. */
  bench_ui_run_pending ();
  if (!bench_ui_run_until (end_shown, bench, 120))
    g_error ("the end of conversation %s was not shown", id);
  bench_ui_wait_frames (1);
  end_paint = g_get_monotonic_time () - start;
  end_paint_cpu = bench_thread_cpu_us () - cpu_start;
  unrendered_end = count_unrendered_on_screen (bench);
  g_signal_handlers_disconnect_by_data (view, bench);
  n_messages = g_list_model_get_n_items (G_LIST_MODEL (confab_conversation_view_get_conversation (view)));
  rss_after = bench_settled_rss_kib ();

  printf ("{\"messages\": %u, \"first_paint_ms\": %.1f, \"end_shown_ms\": %.1f,\n"
          " \"first_paint_cpu_ms\": %.1f, \"end_shown_cpu_ms\": %.1f,\n"
          " \"unrendered_rows_on_screen_first\": %u, \"unrendered_rows_on_screen_end\": %u,\n"
          " \"rss_before_kib\": %" G_GINT64_FORMAT ", \"rss_kib\": %" G_GINT64_FORMAT,
          n_messages, ms (first_paint), ms (end_paint), ms (first_paint_cpu), ms (end_paint_cpu),
          unrendered_first, unrendered_end,
          rss_before, rss_after);
  if (scroll)
    {
      g_autoptr(BenchRecording) recording = scroll_top_to_bottom (bench);

      print_scroll (bench, recording);
    }
  printf ("}\n");
  return 0;
}

/* A huge reply */

static gboolean
reply_finished (gpointer user_data)
{
  Bench *bench = user_data;

  return confab_message_get_state (bench->reply) != CONFAB_MESSAGE_STREAMING;
}

static gboolean
runner_gone (gpointer user_data)
{
  Bench *bench = user_data;

  return g_hash_table_size (bench->window->runners) == 0;
}

/* VmHWM is the peak since this, not since the start. */
static void
reset_peak_rss (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  if (file == NULL || fputs ("5", file) < 0 || fclose (file) != 0)
    g_error ("cannot reset the peak resident memory: %s", g_strerror (errno));
}

static int
bench_huge (Bench      *bench,
            const char *account_name,
            const char *model)
{
  ConfabAccount *account = confab_account_store_lookup_by_name (bench->window->accounts, account_name);
  ConfabConversation *conversation;
  gint64 rss_before, rss_peak, rss_end, rss_closed, start, seconds;
  struct mallinfo2 heap_before, heap_closed;
  ConfabMessage *reply_alive = NULL;
  gint64 rss_trimmed;
  gsize bytes;

  if (account == NULL)
    g_error ("no account named %s", account_name);
  confab_model_selector_select (bench->window->model_selector, confab_account_get_id (account), model);
  rss_before = bench_settled_rss_kib ();
  heap_before = mallinfo2 ();
  reset_peak_rss ();

  start = g_get_monotonic_time ();
  conversation = bench->window->current;
  if (!_confab_window_on_composer_send (bench->window, "Write the longest reply you can."))
    g_error ("the message was not sent");
  bench->reply = g_object_ref (confab_conversation_get_message (conversation,
    g_list_model_get_n_items (G_LIST_MODEL (conversation)) - 1));
  if (!bench_ui_run_until (reply_finished, bench, 1800))
    g_error ("the reply did not finish");
  bench_ui_wait_frames (1);
  seconds = g_get_monotonic_time () - start;
  bytes = strlen (confab_message_get_text (bench->reply));
  if (confab_message_get_state (bench->reply) != CONFAB_MESSAGE_COMPLETE)
    g_error ("the reply ended %s: %s", confab_message_state_to_string (confab_message_get_state (bench->reply)),
             confab_message_get_error_message (bench->reply));
  if (!bench_ui_run_until (runner_gone, bench, 600))
    g_error ("the reply was not saved");
  rss_end = bench_settled_rss_kib ();
  rss_peak = bench_status_kib ("VmHWM");

  g_object_add_weak_pointer (G_OBJECT (bench->reply), (gpointer *) &reply_alive);
  reply_alive = bench->reply;
  g_clear_object (&bench->reply);
  confab_window_new_chat (bench->window);
  bench_ui_wait_frames (2);
  bench_ui_run_for (2);
  rss_closed = bench_status_kib ("VmRSS");
  /* What the heap still holds (uordblks: in use; fordblks: free but kept
   * by malloc), to tell memory still used from memory not given back. */
  heap_closed = mallinfo2 ();
  /* What is left once malloc gives back every free page it can. */
  malloc_trim (0);
  rss_trimmed = bench_status_kib ("VmRSS");
#ifdef RUNNING_ON_VALGRIND
  /* Under valgrind --tool=massif (CONFAB_BENCH_WRAPPER), what the heap
   * holds once the conversation is closed, in this file. */
  if (RUNNING_ON_VALGRIND && g_getenv ("CONFAB_BENCH_MASSIF_SNAPSHOT") != NULL)
    {
      g_autofree char *command = g_strdup_printf ("detailed_snapshot %s",
                                                  g_getenv ("CONFAB_BENCH_MASSIF_SNAPSHOT"));

      VALGRIND_MONITOR_COMMAND (command);
    }
#endif

  printf ("{\"reply_bytes\": %zu, \"seconds\": %.2f, \"rss_before_kib\": %" G_GINT64_FORMAT
          ", \"rss_peak_kib\": %" G_GINT64_FORMAT ", \"rss_end_kib\": %" G_GINT64_FORMAT
          ", \"rss_closed_kib\": %" G_GINT64_FORMAT ",\n \"heap_in_use_before_kib\": %zu"
          ", \"heap_in_use_closed_kib\": %zu, \"heap_free_closed_kib\": %zu,"
          " \"rss_trimmed_kib\": %" G_GINT64_FORMAT ", \"reply_finalized\": %s}\n",
          bytes, seconds / (double) G_USEC_PER_SEC, rss_before, rss_peak, rss_end, rss_closed,
          heap_before.uordblks / 1024, heap_closed.uordblks / 1024, heap_closed.fordblks / 1024,
          rss_trimmed, reply_alive == NULL ? "true" : "false");
  if (reply_alive != NULL)
    g_object_remove_weak_pointer (G_OBJECT (reply_alive), (gpointer *) &reply_alive);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  int status;

  if (!(argc == 3 && g_str_equal (argv[1], "open")) &&
      !((argc == 4 || argc == 6) && g_str_equal (argv[1], "open") && g_str_equal (argv[3], "--scroll")) &&
      !(argc == 4 && g_str_equal (argv[1], "huge")))
    {
      g_printerr ("usage: bench-window open ID [--scroll [STEP FRAMES]]\n"
                  "       bench-window huge ACCOUNT MODEL\n");
      return 2;
    }
  bench.scroll_step = argc == 6 ? g_ascii_strtod (argv[4], NULL) : 1.0;
  bench.scroll_max_frames = argc == 6 ? (guint) g_ascii_strtoull (argv[5], NULL, 10) : 0;
  if (bench.scroll_step <= 0 || bench.scroll_step > 1)
    {
      g_printerr ("bench-window: STEP is a fraction of a screenful, more than 0 and at most 1\n");
      return 2;
    }

  bench_ui_init ();
  start_app (&bench);
  if (g_str_equal (argv[1], "open"))
    status = bench_open (&bench, argv[2], argc >= 4);
  else
    status = bench_huge (&bench, argv[2], argv[3]);
  stop_app (&bench);
  return status;
}
