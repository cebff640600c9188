package io.kubegrade.runner.grading;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.challenge.Keys;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageInputTest {
  @Test
  void everyKeyAChallengeMayNameHasALayoutEntry() {
    assertThat(Keys.named()).isNotEmpty().allSatisfy(name -> {
      PageInput.Key key = PageInput.keyFor(name);
      assertThat(key.keyCode()).as(name).isPositive();
      assertThat(key.code()).as(name).isNotEmpty();
    });
  }

  @Test
  void typingSendsOneKeyDownWithTextAndOneKeyUpPerCharacter() {
    List<PageInput.Command> commands = new PageInput().type("aZ7é😀").commands();

    assertThat(commands).hasSize(10).allSatisfy(c -> assertThat(c.method()).isEqualTo("Input.dispatchKeyEvent"));
    assertThat(commands.stream().filter(c -> "keyDown".equals(c.params().get("type"))).map(c -> c.params().get("text")))
        .containsExactly("a", "Z", "7", "é", "😀");
    assertThat(commands.get(0).params()).containsEntry("code", "KeyA").containsEntry("windowsVirtualKeyCode", (int) 'A');
    assertThat(commands.get(1).params()).containsEntry("type", "keyUp").doesNotContainKey("text");
  }

  @Test
  void controlChordsHoldTheModifierAndTypeNothing() {
    List<PageInput.Command> commands = new PageInput().withControl("a").commands();

    assertThat(commands).extracting(c -> c.params().get("type"), c -> c.params().get("key"), c -> c.params().get("modifiers"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("rawKeyDown", "Control", 2),
            org.assertj.core.groups.Tuple.tuple("rawKeyDown", "a", 2),
            org.assertj.core.groups.Tuple.tuple("keyUp", "a", 2),
            org.assertj.core.groups.Tuple.tuple("keyUp", "Control", 0));
    assertThat(commands).allSatisfy(c -> assertThat(c.params()).doesNotContainKey("text"));
  }

  @Test
  void aDoubleClickIsTwoPressesWhereThePointerIs() {
    List<PageInput.Command> commands = new PageInput().moveTo(10, 20).click(1).click(2).commands();

    assertThat(commands).extracting(c -> c.params().get("type"), c -> c.params().get("clickCount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("mouseMoved", null),
            org.assertj.core.groups.Tuple.tuple("mousePressed", 1),
            org.assertj.core.groups.Tuple.tuple("mouseReleased", 1),
            org.assertj.core.groups.Tuple.tuple("mousePressed", 2),
            org.assertj.core.groups.Tuple.tuple("mouseReleased", 2));
    assertThat(commands).allSatisfy(c -> assertThat(c.params()).containsEntry("x", 10).containsEntry("y", 20));
  }
}
