package dev.autobatch.autotune.budget;

import dev.autobatch.autotune.report.Bytes;
import java.util.Objects;

/**
 * No batch size can run within the memory budget: this process (on a GPU, the device) already
 * holds more than the budget before any trial, or even the start batch size needed more. Nothing
 * is retried; the fix is the user's, so the message says which setting to change.
 *
 * <p>Each entry point names that setting its own way: the API {@code
 * TuneOptions.Builder.optMemoryBudgetBytes}, the main job {@code --budget}, the Maven goal {@code
 * autobatch.memoryBudget}. {@link #getMessage()} speaks the API's words; an entry point that
 * catches this exception asks for its own with {@link #message(Words)}.
 */
public final class MemoryBudgetException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** What the budget was found too small for, in a sentence without advice. */
    private final String finding;
    /** Whether more budget could help: {@code false} when it is all the room there is. */
    private final boolean budgetCanGrow;
    /** The start batch size, where lowering it could help; {@code 0} otherwise. */
    private final int lowerableStart;
    /** The room free to the process, or {@code -1} if unknown. */
    private final long roomBytes;

    private MemoryBudgetException(String finding, boolean budgetCanGrow, int lowerableStart, long roomBytes) {
        super(finding);
        this.finding = finding;
        this.budgetCanGrow = budgetCanGrow;
        this.lowerableStart = lowerableStart;
        this.roomBytes = roomBytes;
    }

    /**
     * How an entry point names the settings this failure's advice mentions.
     *
     * @param budget the setting of the memory budget, such as {@code "--budget"}
     * @param startBatchSize the setting of the first batch size tried, or {@code null} where the
     *     entry point has none
     * @param lessData how to train on fewer samples, such as {@code "--limit N"}, or {@code null}
     *     where the entry point has no such setting
     */
    public record Words(String budget, String startBatchSize, String lessData) {

        /** The API's words: the options of {@link TuneOptions.Builder}. */
        public static final Words API =
                new Words("optMemoryBudgetBytes (or optMemoryFraction)", "optStartBatchSize", null);

        /** Checks that the budget's setting is named. */
        public Words {
            Objects.requireNonNull(budget, "budget");
        }
    }

    /**
     * The process already holds more than the budget before any trial, so every trial, whose
     * peak counts what the process holds, would exceed it.
     *
     * @param holder what holds the memory, such as {@code "this process"} or {@code "gpu(0)"}
     * @param heldBytes what it holds now
     * @param budget the budget
     * @return the exception
     */
    public static MemoryBudgetException beforeAnyTrial(String holder, long heldBytes, MemoryBudget budget) {
        String finding = "Before any trial, " + holder + " already holds " + Bytes.format(heldBytes)
                + ", above the memory budget of " + Bytes.format(budget.bytes()) + " (" + budget.basis()
                + "): every trial would exceed it, so none was run.";
        boolean canGrow = budget.roomBytes() < 0 || budget.bytes() < budget.roomBytes();
        return new MemoryBudgetException(finding, canGrow, 0, budget.roomBytes());
    }

    /**
     * The first trial, at the start batch size, measured a peak above the budget.
     *
     * @param startBatchSize the start batch size
     * @param peakBytes the trial's peak memory
     * @param budgetBytes the budget
     * @return the exception
     */
    public static MemoryBudgetException atTheStart(int startBatchSize, long peakBytes, long budgetBytes) {
        String finding = "Even the start batch size " + startBatchSize + " needs " + Bytes.format(peakBytes)
                + " of memory, above the memory budget of " + Bytes.format(budgetBytes) + "."
                + (startBatchSize > 1 ? "" : " The model does not train even one sample at a time within it.");
        return new MemoryBudgetException(finding, true, startBatchSize > 1 ? startBatchSize : 0, -1);
    }

    /**
     * Returns the message in an entry point's words: what was found, then what to change.
     *
     * @param words how the entry point names its settings
     * @return the message, full sentences on one line
     */
    public String message(Words words) {
        Objects.requireNonNull(words, "words");
        StringBuilder text = new StringBuilder(finding).append(' ');
        if (budgetCanGrow) {
            if (lowerableStart > 0 && words.startBatchSize() != null) {
                text.append("Lower ")
                        .append(words.startBatchSize())
                        .append(" (it is ")
                        .append(lowerableStart)
                        .append("), give a larger budget with ");
            } else {
                text.append("Give a larger budget with ");
            }
            text.append(words.budget());
            if (roomBytes > 0) {
                text.append(" (at most the ").append(Bytes.format(roomBytes)).append(" free to this process)");
            }
            if (words.lessData() != null) {
                text.append(", train on fewer samples with ").append(words.lessData());
            }
            text.append(", or free memory: stop other processes that share it.");
        } else {
            text.append("The budget is already all the memory free to this process: stop other processes that"
                            + " share it, raise the container's memory limit, or ")
                    .append(
                            words.lessData() != null
                                    ? "train on fewer samples with " + words.lessData()
                                    : "load less data")
                    .append('.');
        }
        return text.toString();
    }

    /**
     * Returns the message in the API's words ({@link Words#API}).
     *
     * @return the message
     */
    @Override
    public String getMessage() {
        return message(Words.API);
    }
}
