package dev.llmauth.api;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** Runs tasks only when the test says so. */
final class ManualExecutor implements Executor {
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  @Override
  public void execute(Runnable command) {
    tasks.add(command);
  }

  int pending() {
    return tasks.size();
  }

  int runAll() {
    int n = 0;
    Runnable r;
    while ((r = tasks.poll()) != null) {
      r.run();
      n++;
    }
    return n;
  }
}
