package io.kubegrade.gateway.challenge;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import java.util.Date;
import org.bson.Document;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Challenges in MongoDB (collection {@code challenges}), each stored as its YAML document. */
@Component
public class ChallengeStore {
  private final MongoCollection<Document> collection;

  public ChallengeStore(MongoDatabase database) {
    this.collection = database.getCollection("challenges");
  }

  public Mono<Challenge> find(String id) {
    return Mono.from(collection.find(eq("_id", id)).first())
        .map(d -> ChallengeFormat.parse(d.getString("yaml"), "challenge " + id));
  }

  public Flux<ChallengeSummary> list() {
    return Flux.from(collection.find().projection(Projections.include("title", "difficulty")).sort(Sorts.ascending("_id"))
            .batchSize(500)) // see SubmissionStore: never the driver's unbounded default
        .map(d -> new ChallengeSummary(d.getString("_id"), d.getString("title"), d.getString("difficulty")));
  }

  /** Creates or replaces; emits true when it created. */
  public Mono<Boolean> save(Challenge challenge) {
    Document doc = new Document("_id", challenge.id()).append("title", challenge.title())
        .append("difficulty", challenge.difficulty().name()).append("yaml", ChallengeFormat.write(challenge))
        .append("updatedAt", new Date());
    return Mono.from(collection.replaceOne(eq("_id", challenge.id()), doc, new ReplaceOptions().upsert(true)))
        .map(r -> r.getUpsertedId() != null);
  }

  /** Inserts only when absent (start-up import never overwrites an admin's edits). */
  public Mono<Boolean> saveIfAbsent(Challenge challenge) {
    return Mono.from(collection.find(eq("_id", challenge.id())).first()).hasElement()
        .flatMap(exists -> exists ? Mono.just(false) : save(challenge));
  }

  public Mono<Boolean> delete(String id) {
    return Mono.from(collection.deleteOne(eq("_id", id))).map(r -> r.getDeletedCount() == 1);
  }
}
