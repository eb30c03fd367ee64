package dev.portway.shared.stream;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnknownStreamTest {

    @Test
    void replyDataAndFinForAnUnknownStreamAreAnsweredWithRst() {
        assertThat(UnknownStream.actionFor(FrameType.REPLY)).isEqualTo(UnknownStream.ANSWER_RST);
        assertThat(UnknownStream.actionFor(FrameType.DATA)).isEqualTo(UnknownStream.ANSWER_RST);
        assertThat(UnknownStream.actionFor(FrameType.FIN)).isEqualTo(UnknownStream.ANSWER_RST);
    }

    @Test
    void rstAndWindowUpdateThatCrossedTheEndAreIgnored() {
        assertThat(UnknownStream.actionFor(FrameType.RST)).isEqualTo(UnknownStream.IGNORE);
        assertThat(UnknownStream.actionFor(FrameType.WINDOW_UPDATE)).isEqualTo(UnknownStream.IGNORE);
    }

    @Test
    void openAndControlAreNeverForAnUnknownStream() {
        assertThatThrownBy(() -> UnknownStream.actionFor(FrameType.OPEN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnknownStream.actionFor(FrameType.CONTROL)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataBytesGoBackToTheSessionWhateverTheAction() {
        assertThat(UnknownStream.sessionCreditBack(Frame.data(7, new byte[42], 0, 42))).isEqualTo(42);
        assertThat(UnknownStream.sessionCreditBack(Frame.fin(7))).isZero();
    }

    @Test
    void theAnswerIsRstUnknownStreamOnThatStream() {
        Frame rst = UnknownStream.rst(9);

        assertThat(rst.type()).isEqualTo(FrameType.RST);
        assertThat(rst.streamId()).isEqualTo(9);
        assertThat(rst.rstCode()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
        assertThat(rst.rstMessage()).isEqualTo("Stream 9 is not open.");
    }
}
