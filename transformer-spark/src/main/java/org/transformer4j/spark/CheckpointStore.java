package org.transformer4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingCheckpoints;

/**
 * Training checkpoints in a directory of any Hadoop file system (local, HDFS, S3A, ...) that every worker and the driver
 * can read. Each checkpoint is one {@link TrainingCheckpoints} file named by its step, {@code step-00000500.safetensors},
 * uploaded under a temporary name and renamed into place (a rename to a new name is atomic on HDFS and local disks), so
 * a worker that dies mid-save leaves the previous checkpoint whole; older ones are then deleted. The latest is the one
 * with the highest step.
 */
final class CheckpointStore {
    private static final String PREFIX = "step-";
    private static final String SUFFIX = ".safetensors";

    private final String directory;

    CheckpointStore(String directory) {
        this.directory = directory;
    }

    String directory() {
        return directory;
    }

    private FileSystem fs() throws IOException {
        return FileSystem.get(URI.create(directory), new Configuration());
    }

    private org.apache.hadoop.fs.Path dir() {
        return new org.apache.hadoop.fs.Path(directory);
    }

    /** Saves {@code c} atomically as the newest checkpoint; returns where (a local path when the store is local). */
    Path save(TrainingCheckpoint c) throws IOException {
        Path local = Files.createTempFile("t4j-checkpoint-", SUFFIX);
        try {
            TrainingCheckpoints.save(local, c);
            FileSystem fs = fs();
            fs.mkdirs(dir());
            String name = String.format(Locale.ROOT, "%s%08d%s", PREFIX, c.step(), SUFFIX);
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir(), name);
            org.apache.hadoop.fs.Path temporary = new org.apache.hadoop.fs.Path(dir(), "." + name + ".tmp");
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), temporary);
            fs.delete(target, false); // the same step saved again by a retried attempt: identical content
            if (!fs.rename(temporary, target)) {
                throw new IOException("could not rename " + temporary + " to " + target);
            }
            for (FileStatus s : checkpoints(fs)) {
                if (!s.getPath().getName().equals(name)) {
                    fs.delete(s.getPath(), false);
                }
            }
            return Path.of(target.toUri().getPath());
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /** The checkpoint with the highest step, if any. */
    Optional<TrainingCheckpoint> latest() {
        try {
            FileSystem fs = fs();
            if (!fs.exists(dir())) {
                return Optional.empty();
            }
            FileStatus newest = null;
            for (FileStatus s : checkpoints(fs)) {
                if (newest == null || s.getPath().getName().compareTo(newest.getPath().getName()) > 0) {
                    newest = s;
                }
            }
            if (newest == null) {
                return Optional.empty();
            }
            Path local = Files.createTempFile("t4j-checkpoint-", SUFFIX);
            try {
                fs.copyToLocalFile(false, newest.getPath(), new org.apache.hadoop.fs.Path(local.toUri()), true);
                return Optional.of(TrainingCheckpoints.load(local));
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoints in " + directory + ": " + e.getMessage(), e);
        }
    }

    private FileStatus[] checkpoints(FileSystem fs) throws IOException {
        return fs.listStatus(dir(), p -> p.getName().startsWith(PREFIX) && p.getName().endsWith(SUFFIX));
    }
}
