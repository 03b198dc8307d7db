/* bench-first-frame.c: a program's first frame, seen from the X server
 *
 *   bench-first-frame [--settle MS] [--timeout S] [--verbose] -- PROGRAM [ARGUMENT…]
 *
 * Starts PROGRAM on $DISPLAY (build-aux/bench gives it a private Xvfb)
 * and watches the display, not the program: the time from just before
 * the exec until a top-level window is mapped, then until the first
 * damage to that window after the map, that is the first frame drawn
 * into it. MS milliseconds later (default 1000) it reads the program's
 * resident memory, ends it and prints one JSON object.
 *
 * Watching from outside measures Confab and the floor program in exactly
 * the same way, and needs no hook in either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>

typedef struct
{
  Display *display;
  int      damage_event_base;
  /* Top-level windows created so far. Each gets a damage object at
   * creation, so that a frame drawn right after the map is not missed. */
  GArray  *windows;
  Window   mapped;
  gint64   start_us;
  gint64   map_us;
  gint64   frame_us;
  gboolean verbose;
} Watch;

static void
trace (Watch      *watch,
       const char *what,
       Window      window)
{
  if (watch->verbose)
    fprintf (stderr, "bench-first-frame: %8.2f ms  %s 0x%lx\n",
             (g_get_monotonic_time () - watch->start_us) / 1000.0, what, window);
}

/* Waits for the next X event until @deadline_us; FALSE on timeout. */
static gboolean
next_event (Watch  *watch,
            gint64  deadline_us,
            XEvent *event)
{
  while (XPending (watch->display) == 0)
    {
      struct pollfd pfd = { ConnectionNumber (watch->display), POLLIN, 0 };
      gint64 left_ms = (deadline_us - g_get_monotonic_time ()) / 1000;

      if (left_ms <= 0)
        return FALSE;
      if (poll (&pfd, 1, (int) MIN (left_ms, 100)) < 0 && errno != EINTR)
        g_error ("poll: %s", g_strerror (errno));
    }
  XNextEvent (watch->display, event);
  return TRUE;
}

static void
on_created (Watch                    *watch,
            const XCreateWindowEvent *created)
{
  /* Menus and tooltips are override-redirect: not the program's window. */
  if (created->override_redirect || created->parent != DefaultRootWindow (watch->display))
    return;
  trace (watch, "created", created->window);
  XDamageCreate (watch->display, created->window, XDamageReportNonEmpty);
  g_array_append_val (watch->windows, created->window);
}

static gboolean
is_watched (Watch  *watch,
            Window  window)
{
  for (guint i = 0; i < watch->windows->len; i++)
    if (g_array_index (watch->windows, Window, i) == window)
      return TRUE;
  return FALSE;
}

/* The X server paints a window's background as it maps it, which is
 * damage too but not a frame of the program's: it is in our queue once a
 * round trip after the MapNotify, before the program can have drawn. */
static void
forget_background_damage (Watch  *watch,
                          Window  window)
{
  XEvent event;

  XSync (watch->display, False);
  while (XCheckTypedWindowEvent (watch->display, window,
                                 watch->damage_event_base + XDamageNotify, &event))
    {
      XDamageNotifyEvent *damaged = (XDamageNotifyEvent *) &event;

      trace (watch, "damaged by the map (background)", window);
      XDamageSubtract (watch->display, damaged->damage, None, None);
    }
}

static void
on_mapped (Watch           *watch,
           const XMapEvent *mapped)
{
  trace (watch, "mapped", mapped->window);
  if (watch->mapped != None || mapped->override_redirect || !is_watched (watch, mapped->window))
    return;
  watch->mapped = mapped->window;
  watch->map_us = g_get_monotonic_time ();
  forget_background_damage (watch, mapped->window);
}

static void
on_damaged (Watch                    *watch,
            const XDamageNotifyEvent *damaged)
{
  trace (watch, "damaged", damaged->drawable);
  XDamageSubtract (watch->display, damaged->damage, None, None);
  if (watch->mapped != None && damaged->drawable == watch->mapped && watch->frame_us == 0)
    watch->frame_us = g_get_monotonic_time ();
}

static void
handle_event (Watch  *watch,
              XEvent *event)
{
  if (event->type == CreateNotify)
    on_created (watch, &event->xcreatewindow);
  else if (event->type == MapNotify)
    on_mapped (watch, &event->xmap);
  else if (event->type == watch->damage_event_base + XDamageNotify)
    on_damaged (watch, (XDamageNotifyEvent *) event);
}

/* A field of /proc/PID/status, in KiB; -1 when missing. */
static gint64
status_kib (GPid        pid,
            const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (line = strstr (contents, key)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

static GPid
spawn (char **argv)
{
  GPid pid = fork ();

  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      /* The program's output goes to stderr: stdout carries the result. */
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      execvp (argv[0], argv);
      fprintf (stderr, "bench-first-frame: cannot run %s: %s\n", argv[0], g_strerror (errno));
      _exit (127);
    }
  return pid;
}

/* Whether @pid has exited (it is reaped then). */
static gboolean
has_exited (GPid pid)
{
  int status;

  return waitpid (pid, &status, WNOHANG) == pid;
}

static void
stop (GPid pid)
{
  int status;

  if (has_exited (pid))
    return;
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
}

static gboolean
wait_for_frame (Watch  *watch,
                GPid    pid,
                gint64  deadline_us)
{
  XEvent event;

  while (watch->frame_us == 0)
    {
      if (has_exited (pid))
        {
          g_printerr ("bench-first-frame: the program exited before drawing a window\n");
          return FALSE;
        }
      if (!next_event (watch, deadline_us, &event))
        {
          if (g_get_monotonic_time () >= deadline_us)
            {
              g_printerr ("bench-first-frame: no window drawn in time\n");
              return FALSE;
            }
          continue;
        }
      handle_event (watch, &event);
    }
  return TRUE;
}

/* Keeps taking events (the program may draw more) until @until_us. */
static void
drain_until (Watch  *watch,
             gint64  until_us)
{
  XEvent event;

  while (next_event (watch, until_us, &event))
    handle_event (watch, &event);
}

#define USAGE "usage: bench-first-frame [--settle MS] [--timeout S] [--verbose] -- PROGRAM [ARGUMENT…]\n"

typedef struct
{
  int      settle_ms;
  int      timeout_s;
  gboolean verbose;
  char   **program;
} Options;

static gboolean
parse_options (int      argc,
               char   **argv,
               Options *options)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--settle") && i + 1 < argc)
        options->settle_ms = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--timeout") && i + 1 < argc)
        options->timeout_s = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--verbose"))
        options->verbose = TRUE;
      else if (g_str_equal (argv[i], "--") && i + 1 < argc)
        {
          options->program = &argv[i + 1];
          return TRUE;
        }
      else
        return FALSE;
    }
  return FALSE;
}

static gboolean
open_display (Watch *watch)
{
  int error_base;

  if ((watch->display = XOpenDisplay (NULL)) == NULL)
    {
      g_printerr ("bench-first-frame: cannot open the display (DISPLAY=%s)\n", g_getenv ("DISPLAY"));
      return FALSE;
    }
  if (!XDamageQueryExtension (watch->display, &watch->damage_event_base, &error_base))
    {
      g_printerr ("bench-first-frame: the X server has no DAMAGE extension\n");
      return FALSE;
    }
  watch->windows = g_array_new (FALSE, FALSE, sizeof (Window));
  XSelectInput (watch->display, DefaultRootWindow (watch->display), SubstructureNotifyMask);
  XSync (watch->display, False);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  Options options = { 1000, 60, FALSE, NULL };
  Watch watch = { 0 };
  GPid pid;

  if (!parse_options (argc, argv, &options))
    {
      g_printerr (USAGE);
      return 2;
    }
  watch.verbose = options.verbose;
  if (!open_display (&watch))
    return 1;

  watch.start_us = g_get_monotonic_time ();
  pid = spawn (options.program);
  if (!wait_for_frame (&watch, pid, watch.start_us + options.timeout_s * G_USEC_PER_SEC))
    {
      stop (pid);
      return 1;
    }
  drain_until (&watch, watch.frame_us + options.settle_ms * 1000);
  if (has_exited (pid))
    {
      g_printerr ("bench-first-frame: the program exited after its first frame\n");
      return 1;
    }

  printf ("{\"map_ms\": %.2f, \"first_frame_ms\": %.2f, \"rss_kib\": %" G_GINT64_FORMAT
          ", \"rss_anon_kib\": %" G_GINT64_FORMAT ", \"rss_file_kib\": %" G_GINT64_FORMAT "}\n",
          (watch.map_us - watch.start_us) / 1000.0, (watch.frame_us - watch.start_us) / 1000.0,
          status_kib (pid, "VmRSS"), status_kib (pid, "RssAnon"), status_kib (pid, "RssFile"));
  stop (pid);

  g_array_unref (watch.windows);
  XCloseDisplay (watch.display);
  return 0;
}
