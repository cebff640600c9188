package io.kubegrade.gateway.playground;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.gateway.testing.PlatformIT;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** A learner's session in the playground page, driven in real headless Chromium. */
class PlaygroundIT extends PlatformIT {
  private WebDriver browser;
  private File profile;

  @BeforeEach
  void openBrowser() throws Exception {
    profile = Files.createTempDirectory("kubegrade-playground-").toFile();
    ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--user-data-dir=" + profile, "--window-size=1400,1000");
    browser = new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
  }

  @AfterEach
  void closeBrowser() {
    browser.quit();
  }

  private WebElement waitFor(By by, Duration timeout) {
    try {
      return new WebDriverWait(browser, timeout).pollingEvery(Duration.ofMillis(50))
          .until(ExpectedConditions.visibilityOfElementLocated(by));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the page says: status='" + browser.findElement(By.id("status")).getText()
          + "', events=" + browser.findElement(By.id("events")).getText().replace('\n', '|'), e);
    }
  }

  @Test
  void aLearnerPicksAChallengeEditsSubmitsAndWatchesTheVerdictArrive() throws Exception {
    browser.get("http://127.0.0.1:" + port + "/?challenge=counter");
    new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("who"), "signed in as"));
    assertThat(new Select(browser.findElement(By.id("challenge"))).getOptions()).hasSizeGreaterThanOrEqualTo(15);
    new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("challenge-title"), "Counter"));
    assertThat(browser.findElement(By.id("statement")).getText()).isNotBlank();
    assertThat(browser.findElements(By.cssSelector("#test-names li"))).isNotEmpty();

    // A wrong answer first: failing tests, a message, and the screenshot of the page.
    String wrong = Files.readString(challenges().resolve("counter/solutions/WRONG_ANSWER/adds-two.jsx"));
    WebElement editor = browser.findElement(By.id("source"));
    setSource(editor, wrong);
    browser.findElement(By.id("submit")).click();
    WebElement status = waitFor(By.id("verdict-status"), Duration.ofSeconds(60));
    assertThat(status.getText()).isEqualTo("WRONG_ANSWER");
    assertThat(browser.findElements(By.cssSelector("#verdict-tests li.FAILED"))).isNotEmpty();
    // The verdict refers to its stored screenshot; the page fetches it (a presigned URL) and shows it.
    new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(By.id("screenshot")));
    List<String> events = browser.findElements(By.cssSelector("#events li")).stream().map(WebElement::getText).toList();
    assertThat(events.get(0)).startsWith("#1 queued");
    assertThat(events.get(1)).startsWith("#2 started");
    assertThat(events).anyMatch(e -> e.contains("failed"));
    assertThat(events.get(events.size() - 1)).contains("verdict WRONG_ANSWER");

    // Then a correct one, in the same page.
    setSource(editor, Files.readString(challenges().resolve("counter/solutions/ACCEPTED/hooks.jsx")));
    browser.findElement(By.id("submit")).click();
    new WebDriverWait(browser, Duration.ofSeconds(60)).until(ExpectedConditions.textToBe(By.id("verdict-status"), "ACCEPTED"));
    assertThat(browser.findElements(By.cssSelector("#verdict-tests li.PASSED"))).isNotEmpty();
    assertThat(browser.findElement(By.id("screenshot")).isDisplayed()).isFalse();
  }

  /** Sets the editor's text as a paste would (typing would be slow and auto-indent nothing here). */
  private void setSource(WebElement editor, String source) {
    ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", editor, source);
  }
}
