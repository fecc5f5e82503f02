package dev.fusebox.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.BarrierTaskContext;

/**
 * Every barrier task's message to every other, once per global batch, over sockets between the tasks.
 * {@code BarrierTaskContext.allGather} would do, but it polls for its answer once a second, which would
 * make every step cost a second; it is used once per stage, to publish each task's address. Messages
 * come back in rank order (partition id), whatever order they arrive in.
 *
 * <p>Each pair of tasks shares one connection, the higher rank connecting to the lower. A task sends its
 * message to all peers from a thread of its own while it reads theirs, so no exchange waits on full
 * socket buffers. A task that fails closes its sockets, and its peers' reads fail too, failing the stage:
 * Spark's barrier mode then ends every task of the attempt, and the epoch is run again from its checkpoint.
 */
final class PeerExchange implements AutoCloseable {
  /** How long a read waits for a peer before the stage is failed as hung. */
  static final int TIMEOUT_MILLIS = 10 * 60 * 1000;

  private final int rank;
  private final Socket[] peers;
  private final DataInputStream[] in;
  private final DataOutputStream[] out;
  private final ExecutorService sender;

  private PeerExchange(int rank, int workers) {
    this.rank = rank;
    this.peers = new Socket[workers];
    this.in = new DataInputStream[workers];
    this.out = new DataOutputStream[workers];
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fusebox-exchange-" + rank);
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects the tasks of this barrier stage to each other (one allGather of addresses). */
  static PeerExchange connect(BarrierTaskContext ctx) {
    int rank = ctx.partitionId();
    int workers = ctx.getTaskInfos().length;
    PeerExchange x = new PeerExchange(rank, workers);
    if (workers == 1) return x;
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(0), workers);
      server.setSoTimeout(TIMEOUT_MILLIS);
      // The task's executor host, as Spark gives it with a port ("host:port") or without.
      String address = ctx.getTaskInfos()[rank].address();
      String host = address.indexOf(':') == address.lastIndexOf(':') && address.contains(":")
          ? address.substring(0, address.indexOf(':')) : address;
      String[] addresses = ctx.allGather(host + " " + server.getLocalPort());
      for (int peer = 0; peer < rank; peer++) {
        String[] a = addresses[peer].split(" ");
        Socket s = new Socket();
        s.connect(new InetSocketAddress(a[0], Integer.parseInt(a[1])), TIMEOUT_MILLIS);
        x.attach(peer, s);
        x.out[peer].writeInt(rank);
        x.out[peer].flush();
      }
      for (int accepted = rank + 1; accepted < workers; accepted++) {
        Socket s = server.accept();
        DataInputStream first = new DataInputStream(s.getInputStream());
        int peer = first.readInt();
        if (peer <= rank || peer >= workers || x.peers[peer] != null) {
          s.close();
          throw new IOException("a connection from rank " + peer + ", which task " + rank + " does not expect");
        }
        x.attach(peer, s);
      }
      return x;
    } catch (IOException | RuntimeException e) {
      x.close();
      throw e instanceof IOException io ? new UncheckedIOException("fusebox: task " + rank + " cannot reach the other "
          + "tasks of its stage: " + io.getMessage(), io) : (RuntimeException) e;
    }
  }

  private void attach(int peer, Socket s) throws IOException {
    s.setTcpNoDelay(true);
    s.setSoTimeout(TIMEOUT_MILLIS);
    peers[peer] = s;
    in[peer] = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
    out[peer] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
  }

  /** Sends {@code mine} to every peer and returns every task's message, this one's included, by rank. */
  byte[][] exchange(byte[] mine) {
    Future<?> sent = sender.submit(() -> {
      for (int peer = 0; peer < peers.length; peer++) {
        if (peer == rank) continue;
        out[peer].writeInt(mine.length);
        out[peer].write(mine);
        out[peer].flush();
      }
      return null;
    });
    byte[][] all = new byte[peers.length][];
    all[rank] = mine;
    try {
      for (int peer = 0; peer < peers.length; peer++) {
        if (peer == rank) continue;
        byte[] b = new byte[in[peer].readInt()];
        in[peer].readFully(b);
        all[peer] = b;
      }
      sent.get();
    } catch (IOException e) {
      throw new UncheckedIOException("fusebox: task " + rank + " lost a peer of its stage: " + e.getMessage(), e);
    } catch (ExecutionException e) {
      throw new UncheckedIOException("fusebox: task " + rank + " cannot send to a peer of its stage: " + e.getCause().getMessage(),
          e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fusebox: task " + rank + " was interrupted in an exchange", e);
    }
    return all;
  }

  @Override
  public void close() {
    sender.shutdownNow();
    for (Socket s : peers) {
      if (s == null) continue;
      try {
        s.close();
      } catch (IOException e) {
        // Closing: nothing left to tell.
      }
    }
  }
}
