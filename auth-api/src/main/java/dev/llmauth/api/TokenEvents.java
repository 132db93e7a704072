package dev.llmauth.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The listeners of one {@link LlmAuth} or {@link TokenCache} and the thread that delivers events to them. A
 * publisher never waits: an event goes into a bounded queue or, when the listeners are that far behind, is
 * dropped. Nothing is built or queued while there is no listener.
 */
final class TokenEvents {
  static final int CAPACITY = 1024;
  private static final System.Logger LOG = System.getLogger(TokenListener.class.getName());
  private static final TokenListener[] NONE = {};

  private final String threadName;
  private final ArrayBlockingQueue<TokenEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final Set<TokenListener> failedOnce = ConcurrentHashMap.newKeySet();
  private volatile TokenListener[] listeners = NONE;
  private @Nullable Thread thread;
  private volatile boolean closed;

  TokenEvents(String threadName) {
    this.threadName = threadName;
  }

  /** @return whether anyone listens, so that an event is worth building */
  boolean active() {
    return listeners.length > 0;
  }

  synchronized void add(TokenListener listener) {
    Objects.requireNonNull(listener, "listener");
    List<TokenListener> l = new ArrayList<>(Arrays.asList(listeners));
    l.add(listener);
    listeners = l.toArray(NONE);
    if (thread == null && !closed) {
      Thread t = new Thread(this::deliver, threadName);
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  synchronized boolean remove(TokenListener listener) {
    List<TokenListener> l = new ArrayList<>(Arrays.asList(listeners));
    boolean removed = l.remove(listener);
    listeners = l.toArray(NONE);
    return removed;
  }

  /** Queues an event without waiting; callers build it only when {@link #active()}. */
  void publish(TokenEvent event) {
    if (listeners.length == 0 || closed) {
      return;
    }
    if (!queue.offer(event)) {
      long n = dropped.incrementAndGet();
      if (n == 1 || n % CAPACITY == 0) {
        LOG.log(System.Logger.Level.WARNING, "Token listeners are " + CAPACITY + " events behind; " + n
            + " events dropped so far. A listener should hand slow work to its own executor.");
      }
    }
  }

  /** @return how many events were dropped because the listeners were too far behind */
  long dropped() {
    return dropped.get();
  }

  /** Delivers what is queued, then stops the delivery thread. */
  void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
    }
  }

  private void deliver() {
    while (true) {
      TokenEvent event;
      try {
        event = closed ? queue.poll() : queue.take();
      } catch (InterruptedException e) {
        continue; // closed: drain what is queued, then stop
      }
      if (event == null) {
        return;
      }
      for (TokenListener l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException | LinkageError | AssertionError e) {
          System.Logger.Level level = failedOnce.add(l) ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
          LOG.log(level, "Token listener " + l.getClass().getName() + " threw " + e.getClass().getName()
              + " for a " + event.getClass().getSimpleName() + " event; the other listeners still get it");
        }
      }
    }
  }
}
